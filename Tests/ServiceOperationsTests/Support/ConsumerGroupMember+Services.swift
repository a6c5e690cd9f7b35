import InferenceWorker
import ResultsSink
import ServiceOperations

// As in the kinfer command, which wires services and operations together the same way.
extension InferenceWorker: ConsumerGroupMember {}
extension ResultsSink: ConsumerGroupMember {}
