/// Namespace marker for the Pipeline module.
public enum PipelineModule {}
