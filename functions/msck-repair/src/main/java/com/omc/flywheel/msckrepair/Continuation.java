package com.omc.flywheel.msckrepair;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.omc.flywheel.shared.Events;
import com.omc.flywheel.shared.errors.InvalidInputException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.InflaterInputStream;

/**
 * What an IN_PROGRESS answer carries to the next call, so nothing done is redone: the outcome of
 * every table handled so far, and (ATHENA_MSCK) the MSCK queries still running. It is bound to the
 * call's database, prefix, mode and key, and travels as compressed, URL-safe base64 JSON, or, with a
 * state bucket, as an object in S3 whose key alone is the token ({@link ContinuationStore}).
 *
 * @param done    finished tables
 * @param pending MSCK queries started and not yet seen ended
 */
record Continuation(int v, String database, String tablePrefix, String mode, String partitionKey,
                    List<TableOutcome> done, List<Pending> pending) {
    static final int VERSION = 1;

    /** A started MSCK query. */
    record Pending(String table, String queryExecutionId, String detail) {
    }

    static Continuation start(MsckRepairRequest r) {
        return new Continuation(VERSION, r.database(), r.tablePrefix(), r.mode().name(), r.partitionKey(),
                new ArrayList<>(), new ArrayList<>());
    }

    /** Reads a token; one that is corrupt or issued for another call is {@link InvalidInputException}. */
    static Continuation resume(MsckRepairRequest r) {
        if (r.continuationToken() == null) {
            return start(r);
        }
        byte[] json;
        try {
            byte[] packed = Base64.getUrlDecoder().decode(r.continuationToken());
            json = new InflaterInputStream(new java.io.ByteArrayInputStream(packed)).readAllBytes();
        } catch (IllegalArgumentException | IOException e) {
            throw new InvalidInputException("continuationToken", "is not a token msck-repair issued (pass the "
                    + "continuationToken of the previous IN_PROGRESS answer unchanged)");
        }
        return fromJson(json, r);
    }

    /** Reads the state as JSON; state issued for another call is {@link InvalidInputException}. */
    static Continuation fromJson(byte[] json, MsckRepairRequest r) {
        Continuation c;
        try {
            c = Events.mapper().readValue(json, Continuation.class);
        } catch (IOException e) {
            throw new InvalidInputException("continuationToken", "does not lead to state msck-repair wrote (pass the "
                    + "continuationToken of the previous IN_PROGRESS answer unchanged)");
        }
        if (c.v() != VERSION || !c.database().equals(r.database()) || !c.tablePrefix().equals(r.tablePrefix())
                || !c.mode().equals(r.mode().name()) || !c.partitionKey().equals(r.partitionKey())) {
            throw new InvalidInputException("continuationToken", "was issued for database " + c.database()
                    + ", prefix " + c.tablePrefix() + ", mode " + c.mode() + ", key " + c.partitionKey()
                    + "; this call asks for " + r.database() + ", " + r.tablePrefix() + ", " + r.mode() + ", "
                    + r.partitionKey());
        }
        return new Continuation(c.v(), c.database(), c.tablePrefix(), c.mode(), c.partitionKey(),
                new ArrayList<>(c.done() == null ? List.of() : c.done()),
                new ArrayList<>(c.pending() == null ? List.of() : c.pending()));
    }

    byte[] toJson() {
        try {
            return Events.mapper().writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the continuation state", e);
        }
    }

    String encode() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DeflaterOutputStream out = new DeflaterOutputStream(bytes)) {
                out.write(Events.mapper().writeValueAsString(this).getBytes(StandardCharsets.UTF_8));
            }
            return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.toByteArray());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the continuation token", e);
        } catch (IOException e) {
            throw new IllegalStateException("cannot compress the continuation token", e);
        }
    }
}
