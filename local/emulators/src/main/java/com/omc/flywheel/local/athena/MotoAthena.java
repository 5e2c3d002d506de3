package com.omc.flywheel.local.athena;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.omc.flywheel.local.moto.MotoServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/**
 * Moto's own Athena API, called straight (not through the proxy): the workgroups, and the queries
 * moto ran that a BatchGetQueryExecution names beside the stand-in's.
 */
final class MotoAthena {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final String endpoint;

    MotoAthena(String endpoint) {
        this.endpoint = endpoint;
    }

    /** The workgroup as moto knows it, or null when there is none of that name (moto answers {"WorkGroup": null}). */
    JsonNode workGroup(String name) {
        JsonNode wg = call("GetWorkGroup", JSON.createObjectNode().put("WorkGroup", name)).path("WorkGroup");
        return wg.isObject() ? wg : null;
    }

    /** Moto's QueryExecution of one of its queries; IllegalStateException when moto does not know it. */
    JsonNode queryExecution(String id) {
        return call("GetQueryExecution", JSON.createObjectNode().put("QueryExecutionId", id)).path("QueryExecution");
    }

    private JsonNode call(String operation, JsonNode body) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint + "/"))
                .header("Content-Type", "application/x-amz-json-1.1")
                .header("X-Amz-Target", "AmazonAthena." + operation)
                // moto routes by the signature's service.
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=local/20260101/" + MotoServer.REGION
                        + "/athena/aws4_request, SignedHeaders=host, Signature=0")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build();
        try {
            HttpResponse<byte[]> r = HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("moto answered athena:" + operation + " with HTTP " + r.statusCode()
                        + ": " + new String(r.body(), StandardCharsets.UTF_8));
            }
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach moto for athena:" + operation, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted calling moto", e);
        }
    }
}
