package com.omc.flywheel.notifyfailure;

import com.amazonaws.services.lambda.runtime.Context;
import com.omc.flywheel.shared.AwsClients;
import com.omc.flywheel.shared.JsonHandler;
import com.omc.flywheel.shared.Priming;
import com.omc.flywheel.shared.Settings;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sns.SnsClient;

/**
 * notify-failure: the target of the EventBridge rule on "Step Functions Execution Status Change"
 * (FAILED, TIMED_OUT, ABORTED) of the three state machines. Publishes the failed step, the error,
 * what finished and the command that resumes the run ({@link FailureNotifier}).
 */
public final class NotifyFailureHandler extends JsonHandler<ExecutionStatusChange, FailureNotifier.Result> {
    private final FailureNotifier notifier;
    private final SfnClient sfn;

    public NotifyFailureHandler() {
        this(AwsClients.build(SfnClient.builder()), AwsClients.build(SnsClient.builder()));
    }

    private NotifyFailureHandler(SfnClient sfn, SnsClient sns) {
        this(new FailureNotifier(sfn, sns, Settings.value("NOTIFICATION_TOPIC_ARN", null),
                Settings.value("FLYWHEEL_ENV", null), Settings.value("STACK_NAME", null)), sfn);
    }

    public NotifyFailureHandler(FailureNotifier notifier) {
        this(notifier, null);
    }

    private NotifyFailureHandler(FailureNotifier notifier, SfnClient sfn) {
        super("notify-failure", ExecutionStatusChange.class);
        this.notifier = notifier;
        this.sfn = sfn;
    }

    /** Step Functions' path (SNS is primed by the same HTTP client and signer; publishing for real is not an option).
    * */
    @Override
    protected void primeAws() {
        if (sfn != null) {
            Priming.call(() -> sfn.describeStateMachine(b -> b.stateMachineArn(
                    "arn:aws:states:us-east-1:000000000000:stateMachine:" + Priming.NAME)));
        }
    }

    @Override
    protected FailureNotifier.Result handle(ExecutionStatusChange event, Context context) {
        return notifier.notify(event);
    }
}
