import Foundation
import Kafka
import KinferTestSupport
import Testing

@Suite("Back-pressure")
struct BackPressureTests {
    @Test("Workers stopped, max backlog 500: submissions past it get 429 with Retry-After and none reach the topic; once workers run and the lag falls, 202 again, with an estimated wait")
    func backlogRefusesThenRecovers() async throws {
        let group = uniqueName("bp-workers")
        let body = #"{"features": [\#(Array(repeating: "0", count: 64).joined(separator: ","))]}"#
        try await withGateway(configure: {
            $0.workersGroup = group
            $0.maxBacklog = 500
            $0.lagInterval = .milliseconds(100)
        }) { gateway in
            // 500 accepted, 16 at a time, while the lag reading is still under the limit.
            let accepted = try await withThrowingTaskGroup(of: Int.self) { tasks in
                var statuses: [Int] = []
                var next = 0
                while next < 16 { tasks.addTask { try await gateway.submit(body).status }; next += 1 }
                for try await status in tasks {
                    statuses.append(status)
                    if next < 500 { tasks.addTask { try await gateway.submit(body).status }; next += 1 }
                }
                return statuses.filter { $0 == 202 }.count
            }
            // The reading is at most one interval old: a few of the last may have been refused already.
            #expect(accepted > 400)

            // Once the reading says 500 (or more) are waiting, every submission is refused.
            var refusal: HTTPReply?
            var acceptedSince = 0
            try await waitUntil("a 429", timeout: .seconds(10)) {
                let reply = try await gateway.submit(body)
                if reply.status == 429 { refusal = reply }
                if reply.status == 202 { acceptedSince += 1 }
                return reply.status == 429
            }
            let first = try #require(refusal)
            #expect(first.headers.first(name: "Retry-After").flatMap(Int.init).map { $0 >= 1 } == true)
            #expect(first.object?["type"] as? String == "/problems/backlog")
            for _ in 0..<20 {
                let reply = try await gateway.submit(body)
                #expect(reply.status == 429)
                #expect(reply.headers.first(name: "Retry-After") != nil)
            }
            // Nothing refused is on the topic: it holds exactly the accepted jobs.
            let admin = try KafkaAdmin(configuration: gateway.cluster.producerConfiguration())
            var onTopic: Int64 = 0
            for partition in try await admin.describeTopics([gateway.topics.jobs]).flatMap(\.partitions) {
                onTopic += try await admin.watermarks(of: KafkaTopicPartition(topic: gateway.topics.jobs, partition: partition.id)).high
            }
            #expect(onTopic == Int64(accepted + acceptedSince))

            try await gateway.withWorkerAndSink(workersGroup: group) {
                try await waitUntil("a 202 again", timeout: .seconds(30)) {
                    try await gateway.submit(body).status == 202
                }
                // The follower has seen results complete: the 202 now carries lag / rate.
                try await waitUntil("an estimated wait in the 202", timeout: .seconds(10)) {
                    let reply = try await gateway.submit(body)
                    return reply.status == 202 && (reply.object?["estimated_wait_seconds"] as? Double).map { $0 >= 0 } == true
                }
            }
        }
    }
}
