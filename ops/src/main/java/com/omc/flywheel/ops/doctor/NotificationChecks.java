package com.omc.flywheel.ops.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.model.Subscription;

/**
 * The two topics: each has a confirmed subscription (a pending e-mail confirmation hears nothing),
 * and a customer managed key whose policy lets CloudWatch alarms publish.
 */
final class NotificationChecks {
    private static final ObjectMapper JSON = new ObjectMapper();

    private NotificationChecks() {
    }

    static void run(Account account, Findings findings) {
        for (String output : List.of("DbRefreshNotificationsTopicArn", "DataMonitorAlertsTopicArn")) {
            String arn = account.output(output);
            if (arn == null) {
                findings.fail("sns.topic", output, "the stack has no such output", "redeploy the stack (sam deploy)");
                continue;
            }
            findings.guard("sns.subscriptions", arn, () -> subscriptions(account, findings, arn));
            findings.guard("sns.key", arn, () -> key(account, findings, arn));
        }
    }

    private static void subscriptions(Account account, Findings findings, String arn) {
        List<String> confirmed = new ArrayList<>();
        List<String> pending = new ArrayList<>();
        for (Subscription s : account.client(SnsClient.class, SnsClient::builder)
                .listSubscriptionsByTopicPaginator(b -> b.topicArn(arn)).subscriptions()) {
            ("PendingConfirmation".equals(s.subscriptionArn()) ? pending : confirmed)
                    .add(s.protocol() + ":" + s.endpoint());
        }
        if (!pending.isEmpty()) {
            findings.warn("sns.subscriptions", arn, "waiting for confirmation: " + String.join(", ", pending)
                    + (confirmed.isEmpty() ? "; nobody hears of a failure yet" : "; confirmed: "
                            + String.join(", ", confirmed)), "open the confirmation mail AWS sent each address and "
                            + "follow its link (or resend: aws sns subscribe)");
        } else if (confirmed.isEmpty()) {
            findings.warn("sns.subscriptions", arn, "no subscription: nobody hears of a failure",
                    "deploy with NotificationEmails=you@example.com, or aws sns subscribe --topic-arn " + arn);
        } else {
            findings.ok("sns.subscriptions", arn, confirmed.size() + " confirmed (" + String.join(", ", confirmed)
                    + ")");
        }
    }

    private static void key(Account account, Findings findings, String arn) {
        String keyId = account.client(SnsClient.class, SnsClient::builder)
                .getTopicAttributes(b -> b.topicArn(arn)).attributes().get("KmsMasterKeyId");
        if (keyId == null || keyId.isEmpty()) {
            findings.warn("sns.key", arn, "not encrypted", "deploy the stack again: it encrypts both topics with its "
                    + "key (or TopicKmsKeyId)");
            return;
        }
        if (keyId.equals("alias/aws/sns")) {
            findings.fail("sns.key", arn, "encrypted with the AWS managed alias/aws/sns: CloudWatch alarms cannot "
                    + "publish to it", "deploy with TopicKmsKeyId empty (the stack's key) or a customer managed key");
            return;
        }
        KmsClient kms = account.client(KmsClient.class, KmsClient::builder);
        KeyMetadata meta = kms.describeKey(b -> b.keyId(keyId)).keyMetadata();
        if (!"Enabled".equals(meta.keyStateAsString())) {
            findings.fail("sns.key", arn, "its key " + meta.arn() + " is " + meta.keyStateAsString()
                    + ": every publish fails", "enable the key (aws kms enable-key --key-id " + meta.keyId() + ")");
            return;
        }
        String policy = kms.getKeyPolicy(b -> b.keyId(meta.keyId()).policyName("default")).policy();
        if (allowsService(policy, "cloudwatch.amazonaws.com")) {
            findings.ok("sns.key", arn, "encrypted with " + meta.arn()
                    + ", whose policy lets CloudWatch alarms publish");
        } else {
            findings.fail("sns.key", arn, "its key " + meta.arn() + " does not let cloudwatch.amazonaws.com use it: "
                    + "every alarm's notification is dropped", "add to the key policy: Allow Service "
                    + "cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey* (as the stack's TopicKey has)");
        }
    }

    /** Whether a key policy has an Allow statement for the service with kms:GenerateDataKey*. */
    static boolean allowsService(String policy, String service) {
        try {
            for (JsonNode s : iterable(JSON.readTree(policy).path("Statement"))) {
                if (!"Allow".equals(s.path("Effect").asText())) {
                    continue;
                }
                boolean principal = false;
                for (JsonNode p : iterable(s.path("Principal").path("Service"))) {
                    principal |= service.equals(p.asText());
                }
                boolean action = false;
                for (JsonNode a : iterable(s.path("Action"))) {
                    String x = a.asText();
                    action |= x.equals("kms:*") || x.startsWith("kms:GenerateDataKey");
                }
                if (principal && action) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /** A node's elements, or the node itself when it is a single value. */
    static List<JsonNode> iterable(JsonNode node) {
        List<JsonNode> out = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(out::add);
        } else if (!node.isMissingNode() && !node.isNull()) {
            out.add(node);
        }
        return out;
    }
}
