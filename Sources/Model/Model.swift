/// Namespace marker for the Model module.
public enum ModelModule {}
