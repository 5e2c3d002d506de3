package com.omc.flywheel.shared.errors;

/**
 * A history rebuild of a topic was refused before it changed anything: another rebuild of the topic
 * holds its lock and is still running, or the topic's {@code flow_control_flag} is neither
 * {@code ENABLED} nor {@code PAUSED}. The message names the holder (an execution ARN) or the flag and
 * says what to do. Never retried (the state machine lists it in no Retry): the running rebuild
 * continues, and this one did nothing.
 */
public final class RebuildRefusedException extends FlywheelException {
    public RebuildRefusedException(String message) {
        super(message);
    }
}
