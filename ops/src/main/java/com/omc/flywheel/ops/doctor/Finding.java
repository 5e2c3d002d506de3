package com.omc.flywheel.ops.doctor;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One line of {@code bin/flywheel doctor}: a verdict, the check ({@code glue.job}), what it looked
 * at (a job's name, a bucket), what it found, and for a WARN or a FAIL what to do about it.
 */
public record Finding(Status status, String check, String subject, String detail, String fix) {

    /** OK: as the stack assumes. WARN: works, or could not be checked, but look. FAIL: the run would fail. */
    public enum Status { OK, WARN, FAIL }

    public Finding {
        if (status != Status.OK && (fix == null || fix.isBlank())) {
            throw new IllegalArgumentException("a " + status + " without a fix: " + check + " " + subject);
        }
    }

    static Finding ok(String check, String subject, String detail) {
        return new Finding(Status.OK, check, subject, detail, null);
    }

    static Finding warn(String check, String subject, String detail, String fix) {
        return new Finding(Status.WARN, check, subject, detail, fix);
    }

    static Finding fail(String check, String subject, String detail, String fix) {
        return new Finding(Status.FAIL, check, subject, detail, fix);
    }

    /** {@code WARN glue.job  etl-x: MaxConcurrentRuns 1 … — fix: …}, one line. */
    public String line() {
        return String.format("%-4s %-24s %s: %s%s", status, check, subject, detail,
                fix == null ? "" : " -- fix: " + fix);
    }

    public ObjectNode json() {
        ObjectNode o = JsonNodeFactory.instance.objectNode().put("status", status.name()).put("check", check)
                .put("subject", subject).put("detail", detail);
        if (fix != null) {
            o.put("fix", fix);
        }
        return o;
    }
}
