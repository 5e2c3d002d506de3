package com.omc.flywheel.statemachine;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link FaultToleranceTest}'s throttling cases, in classes of their own only because the SDK's
 * adaptive backoff makes them the slowest: the suite's three test JVMs take classes from one queue,
 * and smaller classes end closer together. The attempts are as short as FaultToleranceTest's.
 */
abstract class AdaptiveRetriesTolerance {

    @BeforeAll
    static void fastAttempts() {
        FaultToleranceTest.fastAttempts();
    }

    @AfterAll
    static void restore() {
        FaultToleranceTest.restore();
    }
}
