import ConsumerKit
import Testing

@Suite struct ResendTests {
    @Test func pausesGrowWithTheFailuresOfOneMessageAndStayBounded() {
        for _ in 0..<100 {
            let first = Resend.delay(afterFailures: 1)
            #expect(first >= .milliseconds(50) && first <= .milliseconds(100))
            let third = Resend.delay(afterFailures: 3)
            #expect(third >= .milliseconds(200) && third <= .milliseconds(400))
            let many = Resend.delay(afterFailures: 40)
            #expect(many >= .milliseconds(2_500) && many <= .seconds(5))
        }
    }
}
