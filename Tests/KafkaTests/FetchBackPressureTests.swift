import Testing

@testable import Kafka

@Suite("The consumer's back-pressure decision")
struct FetchBackPressureTests {
    let start = ContinuousClock.now

    func fresh() -> FetchBackPressure {
        FetchBackPressure(pauseDelay: .seconds(1), lowWatermark: 50, highWatermark: 100)
    }

    @Test("A full buffer holds; a hold shorter than the pause delay pauses nothing, and ends when the reader catches up")
    func shortHoldPausesNothing() {
        var backPressure = fresh()
        #expect(backPressure.next(buffered: 100, now: start) == .none)
        #expect(backPressure.holdingSince == start)
        #expect(backPressure.next(buffered: 120, now: start + .milliseconds(999)) == .none)
        #expect(backPressure.holdingSince == start, "the hold keeps its start")
        #expect(backPressure.next(buffered: 99, now: start + .milliseconds(999)) == .none)
        #expect(backPressure.holdingSince == nil)
        #expect(!backPressure.isPaused)
    }

    @Test("A hold that lasts the pause delay pauses once; the pause lasts until the buffer drains to the low watermark")
    func longHoldPausesUntilTheLowWatermark() {
        var backPressure = fresh()
        _ = backPressure.next(buffered: 100, now: start)
        #expect(backPressure.next(buffered: 100, now: start + .seconds(1)) == .pause)
        #expect(backPressure.holdingSince == nil, "paused, the poll thread polls again")
        #expect(backPressure.next(buffered: 100, now: start + .seconds(5)) == .none)
        #expect(backPressure.next(buffered: 51, now: start + .seconds(6)) == .none)
        #expect(backPressure.pausesNewPartitions(buffered: 51))
        #expect(backPressure.next(buffered: 50, now: start + .seconds(7)) == .resume)
        #expect(!backPressure.isPaused)
        #expect(!backPressure.pausesNewPartitions(buffered: 500))
    }

    @Test("Partitions assigned while paused are paused only while the reader is still behind")
    func newPartitionsWhilePaused() {
        var backPressure = fresh()
        _ = backPressure.next(buffered: 100, now: start)
        _ = backPressure.next(buffered: 100, now: start + .seconds(1))
        #expect(backPressure.pausesNewPartitions(buffered: 80))
        #expect(!backPressure.pausesNewPartitions(buffered: 50))
    }
}
