/// Namespace marker for the Kernels module.
public enum KernelsModule {}
