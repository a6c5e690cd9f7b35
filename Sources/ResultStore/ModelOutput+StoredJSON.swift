import Foundation
import InferenceJobs

extension ModelOutput {
    /// The output as the JSON text both stores keep: `{"label":…,"confidence":…,"scores":[…]}`.
    ///
    /// Written by hand because it runs once per stored row and `JSONEncoder` would dominate the cost of a write.
    /// Numbers use Swift's shortest round-tripping form; a non-finite number, which JSON cannot hold, is written as
    /// the string `"NaN"`, `"Infinity"` or `"-Infinity"` rather than failing the whole batch.
    var storedJSON: String {
        var json = #"{"label":"#
        json.appendJSONString(self.label)
        json += #","confidence":"#
        json.appendJSONNumber(self.confidence)
        json += #","scores":["#
        for (index, score) in self.scores.enumerated() {
            if index > 0 { json += "," }
            json.appendJSONNumber(score)
        }
        json += "]}"
        return json
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
        self.init(label: stored.label, confidence: stored.confidence, scores: stored.scores)
    }
}

/// The decoding side of ``ModelOutput/storedJSON``.
private struct StoredModelOutput: Decodable {
    var label: String
    var confidence: Double
    var scores: [Double]
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
