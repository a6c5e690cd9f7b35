import Foundation
import InferenceJobs

extension ModelOutput {
    /// The output as the JSON text both stores keep: `{"label":…,"confidence":…,"scores":[…]}` for a classification,
    /// `{"text":…,"tokens":…,"finish_reason":…}` for generated text.
    ///
    /// Written by hand because it runs once per stored row and `JSONEncoder` would dominate the cost of a write.
    /// Numbers use Swift's shortest round-tripping form; a non-finite number, which JSON cannot hold, is written as
    /// the string `"NaN"`, `"Infinity"` or `"-Infinity"` rather than failing the whole batch.
    var storedJSON: String {
        switch self {
        case .classification(let output):
            var json = #"{"label":"#
            json.appendJSONString(output.label)
            json += #","confidence":"#
            json.appendJSONNumber(output.confidence)
            json += #","scores":["#
            for (index, score) in output.scores.enumerated() {
                if index > 0 { json += "," }
                json.appendJSONNumber(score)
            }
            json += "]}"
            return json
        case .text(let output):
            var json = #"{"text":"#
            json.appendJSONString(output.text)
            json += #","tokens":\#(output.tokens),"finish_reason":"#
            json.appendJSONString(output.finishReason)
            json += "}"
            return json
        }
    }

    /// Reads the text written by ``storedJSON``, or PostgreSQL's normalised `jsonb` rendering of it.
    init(storedJSON: String) throws {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity",
            negativeInfinity: "-Infinity",
            nan: "NaN"
        )
        let stored = try decoder.decode(StoredModelOutput.self, from: Data(storedJSON.utf8))
        if let text = stored.text {
            self = .text(GeneratedText(text: text, tokens: stored.tokens ?? 0, finishReason: stored.finish_reason ?? "stop"))
        } else if let label = stored.label, let confidence = stored.confidence, let scores = stored.scores {
            self.init(label: label, confidence: confidence, scores: scores)
        } else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "neither a classification nor generated text"))
        }
    }
}

/// The decoding side of ``ModelOutput/storedJSON``.
private struct StoredModelOutput: Decodable {
    var label: String?
    var confidence: Double?
    var scores: [Double]?
    var text: String?
    var tokens: Int?
    var finish_reason: String?
}

extension String {
    fileprivate mutating func appendJSONNumber(_ number: Double) {
        if number.isNaN {
            self += #""NaN""#
        } else if number.isInfinite {
            self += number > 0 ? #""Infinity""# : #""-Infinity""#
        } else {
            self += number.description
        }
    }

    fileprivate mutating func appendJSONString(_ string: String) {
        self += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": self += #"\""#
            case "\\": self += #"\\"#
            case "\n": self += #"\n"#
            case "\r": self += #"\r"#
            case "\t": self += #"\t"#
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                self += #"\u"# + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                self.unicodeScalars.append(scalar)
            }
        }
        self += "\""
    }
}
