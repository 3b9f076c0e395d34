/// A token id, end to end: what the tokenizer emits, the pipeline renders and scores, a shard
/// stores, the model embeds and the trainer predicts.
///
/// Signed 32-bit, as the tokenizer, the model and the trainer have always used (and as
/// llama.cpp's `llama_token` and PyTorch's integer label tensors are signed). Valid ids are
/// `0..<vocabSize`, far below 2³¹, so the shard's `u32` id column (schemas/shard.v1.md) holds
/// exactly the same bytes: the on-disk format does not change. A stored value ≥ 2³¹ reads back
/// negative and is rejected by every vocabulary check (`id >= 0 && id < vocab`).
public typealias TokenID = Int32
