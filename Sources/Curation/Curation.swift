/// Namespace marker for the Curation module (dedup, decontamination, sampling).
public enum CurationModule {}
