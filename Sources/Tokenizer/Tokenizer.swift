/// Namespace marker for the Tokenizer module.
public enum TokenizerModule {}
