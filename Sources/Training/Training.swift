/// Namespace marker for the Training module.
public enum TrainingModule {}
