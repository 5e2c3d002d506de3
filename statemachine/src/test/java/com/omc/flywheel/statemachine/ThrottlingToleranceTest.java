package com.omc.flywheel.statemachine;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link FaultToleranceTest}'s scenarios under throttling (HTTP 400 ThrottlingException and 429, S3's
 * 503 SlowDown): twice on the call each function cannot do without, absorbed by the SDK's adaptive
 * retries. A class of its own only because the adaptive backoff makes these the slowest cases: the
 * suite's test JVMs run it beside FaultToleranceTest instead of after it.
 */
class ThrottlingToleranceTest {

    @BeforeAll
    static void fastAttempts() {
        FaultToleranceTest.fastAttempts();
    }

    @AfterAll
    static void restore() {
        FaultToleranceTest.restore();
    }

    @TestFactory
    List<DynamicTest> throttlingIsAbsorbedByTheSdksAdaptiveRetries() {
        return FaultToleranceTest.absorbed(FaultToleranceTest::throttling);
    }
}
