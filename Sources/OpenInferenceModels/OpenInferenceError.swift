import ModelServerHTTP

/// Why a call to an Open Inference Protocol server failed: the error every model-server client shares, under this
/// client's name.
public typealias OpenInferenceError = ModelServerError
