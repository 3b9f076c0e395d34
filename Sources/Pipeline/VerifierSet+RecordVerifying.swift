import Verify

/// The verify stage judges records with Verify's one dispatch (reference kind → verifier,
/// `mathDomains` for free-text answers), the same `eaft check` uses.
extension VerifierSet: RecordVerifying {}
