package com.omc.flywheel.ops;

import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;

/**
 * Where the operator console's commands talk to: an account through the SDK's default chains
 * (credentials, region) or a named profile and region, or a local endpoint with its fixed local
 * credentials (us-east-1 unless a region is given).
 *
 * @param profile  a profile of the AWS config files, or null
 * @param region   a region, or null for the default chain's
 * @param endpoint a local endpoint URL (bin/flywheel local-run --keep-running), or null
 */
public record Connection(String profile, String region, String endpoint) {

    /** There is no region: neither given nor in the environment or the profile. */
    public static final class NoRegionException extends IllegalArgumentException {
        NoRegionException() {
            super("no region: give --region, or set AWS_REGION or the profile's region");
        }
    }

    /** The region the clients use. */
    public Region resolvedRegion() {
        if (region != null) {
            return Region.of(region);
        }
        if (endpoint != null) {
            return Region.US_EAST_1;
        }
        try {
            return DefaultAwsRegionProviderChain.builder().profileName(profile).build().getRegion();
        } catch (SdkClientException e) {
            throw new NoRegionException();
        }
    }

    /** A client of one service, configured for this connection. */
    public <C, B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>> C client(B builder) {
        AwsCredentialsProvider credentials;
        if (profile != null) {
            credentials = ProfileCredentialsProvider.create(profile);
        } else if (endpoint != null) {
            credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
        } else {
            credentials = DefaultCredentialsProvider.builder().build();
        }
        builder.credentialsProvider(credentials).region(resolvedRegion())
                .httpClientBuilder(UrlConnectionHttpClient.builder());
        if (endpoint != null) {
            builder.endpointOverride(URI.create(endpoint));
        }
        return builder.build();
    }
}
