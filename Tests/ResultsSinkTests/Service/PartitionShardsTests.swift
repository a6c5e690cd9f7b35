@testable import ResultsSink
import Testing

@Suite("Sink: a batch split into partition shards")
struct PartitionShardsTests {
    @Test("A batch splits by partition modulo the connections, each shard in batch order, empty shards left out")
    func shards() {
        let results = [(3, 10), (0, 5), (1, 7), (2, 6), (3, 11), (1, 8)].map { partition, offset in
            StoredResult(result: ResultFixtures.result(offset), partition: Int32(partition), offset: Int64(offset))
        }
        let byShard = results.partitionShards(2).map { $0.map { [Int($0.partition), Int($0.offset)] } }
        #expect(byShard == [[[0, 5], [2, 6]], [[3, 10], [1, 7], [3, 11], [1, 8]]])
        #expect(results.partitionShards(1).count == 1)
        #expect(results.filter { $0.partition % 2 == 1 }.partitionShards(2).count == 1)
    }
}
