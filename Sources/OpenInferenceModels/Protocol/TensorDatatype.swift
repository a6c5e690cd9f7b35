/// The floating-point datatypes kinfer sends features as; the model's metadata says which one the model takes.
public enum TensorDatatype: String, Sendable, Hashable, CaseIterable {
    /// 32-bit floats: each feature is rounded to the nearest `Float`.
    case fp32 = "FP32"
    /// 64-bit floats: features are sent as they are.
    case fp64 = "FP64"
}
