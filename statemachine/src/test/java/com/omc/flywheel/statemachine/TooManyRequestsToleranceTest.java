package com.omc.flywheel.statemachine;

import com.omc.flywheel.local.proxy.AwsProxy.FaultKind;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link FaultToleranceTest}'s scenarios under throttling as HTTP 429 Too Many Requests, as
 * {@link ThrottlingToleranceTest} does with 400.
 */
class TooManyRequestsToleranceTest extends AdaptiveRetriesTolerance {

    @TestFactory
    List<DynamicTest> tooManyRequestsAreAbsorbedByTheSdksAdaptiveRetries() {
        return FaultToleranceTest.absorbed(kind -> kind == FaultKind.TOO_MANY_REQUESTS_429);
    }
}
