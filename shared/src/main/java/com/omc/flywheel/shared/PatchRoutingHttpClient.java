package com.omc.flywheel.shared;

import java.util.function.Supplier;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpMethod;

/**
 * Sends PATCH requests through a client that can (the JDK's, {@link JdkHttpClient}), built on the
 * first PATCH, and everything else through the url-connection client every function already has.
 * Clean Rooms uses PATCH only for its Update* operations, which a run makes only when it repairs
 * drift; the reads and creates of every run no longer pay for starting {@code java.net.http}
 * (about a hundred milliseconds and several hundred classes on a cold start).
 */
final class PatchRoutingHttpClient implements SdkHttpClient {
    private final SdkHttpClient others;
    private final Supplier<SdkHttpClient> patchFactory;
    private volatile SdkHttpClient patch;

    PatchRoutingHttpClient(SdkHttpClient others, Supplier<SdkHttpClient> patchFactory) {
        this.others = others;
        this.patchFactory = patchFactory;
    }

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
        return request.httpRequest().method() == SdkHttpMethod.PATCH ? patchClient().prepareRequest(request)
                : others.prepareRequest(request);
    }

    /** Whether a PATCH has been sent, i.e. the PATCH client built (for tests). */
    boolean patchClientBuilt() {
        return patch != null;
    }

    private SdkHttpClient patchClient() {
        SdkHttpClient p = patch;
        if (p == null) {
            synchronized (this) {
                if (patch == null) {
                    patch = patchFactory.get();
                }
                p = patch;
            }
        }
        return p;
    }

    @Override
    public void close() {
        // Both clients are shared by every client of the function and live as long as it does.
    }

    @Override
    public String clientName() {
        return others.clientName();
    }
}
