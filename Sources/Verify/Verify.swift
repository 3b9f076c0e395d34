/// Namespace marker for the Verify module.
public enum VerifyModule {}
