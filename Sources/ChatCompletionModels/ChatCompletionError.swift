import ModelServerHTTP

/// Why a chat completion failed: the error every model-server client shares, under this client's name.
public typealias ChatCompletionError = ModelServerError
