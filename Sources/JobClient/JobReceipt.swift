/// Where a submitted job was stored: its ID (generated if the job had none), partition and offset.
public struct JobReceipt: Sendable, Hashable {
    public var jobID: String
    public var partition: Int32
    public var offset: Int64

    public init(jobID: String, partition: Int32, offset: Int64) {
        self.jobID = jobID
        self.partition = partition
        self.offset = offset
    }
}
