// Keeps the TokenizerTests target present in a fresh clone until it has tests of its own.
import XCTest
