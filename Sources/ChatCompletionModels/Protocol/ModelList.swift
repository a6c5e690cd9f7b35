import Foundation

/// What `GET .../models` answers: `{"object": "list", "data": [{"id": "...", ...}]}`.
struct ModelList: Decodable, Sendable, Equatable {
    struct Model: Decodable, Sendable, Equatable {
        var id: String
    }

    var data: [Model]
}
