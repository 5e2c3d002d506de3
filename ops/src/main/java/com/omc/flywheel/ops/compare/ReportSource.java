package com.omc.flywheel.ops.compare;

import com.omc.flywheel.ops.Connection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * One side of the comparison: a local folder or an S3 prefix of report files. Its files are those at
 * its root and one folder below (today's reports sit under {@code data-monitor/} and
 * {@code cleanrooms-reports/} of the report bucket), never under a folder whose name starts with a dot
 * ({@code data-monitor/.in-progress/}) nor deeper (so {@code OUT} does not take in {@code OUT/shadow/}'s
 * reports, nor {@code OUT/month-2/}'s).
 */
sealed interface ReportSource permits ReportSource.LocalFolder, ReportSource.S3Prefix {
    Pattern S3_URL = Pattern.compile("^s3://([^/]+)(/.*)?$");
    Pattern BUCKET = Pattern.compile("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$");

    /** The side as the messages name it. */
    String location();

    /** The paths of the files, with '/', under the root; sorted. */
    List<String> files();

    byte[] read(String path);

    /** A file's full location, for messages. */
    default String locate(String path) {
        return location() + (location().endsWith("/") ? "" : "/") + path;
    }

    /**
     * @param side "TODAY" or "NEW", for the messages
     * @param s3   the S3 client, built on first use
     */
    static ReportSource of(String side, String spec, Supplier<S3Client> s3) {
        Matcher m = S3_URL.matcher(spec);
        if (m.matches()) {
            String bucket = m.group(1);
            if (!BUCKET.matcher(bucket).matches()) {
                throw new CompareReportsCommand.UsageException(side + ": '" + bucket + "' is not an S3 bucket name ("
                        + spec + ")");
            }
            String prefix = m.group(2) == null ? "" : m.group(2).substring(1);
            if (!prefix.isEmpty() && !prefix.endsWith("/")) {
                prefix += "/";
            }
            return new S3Prefix(side, s3.get(), bucket, prefix);
        }
        if (spec.matches("^[A-Za-z][A-Za-z0-9+.-]*://.*")) {
            throw new CompareReportsCommand.UsageException(side + " must be a local folder or s3://bucket/prefix/, "
                    + "got '" + spec + "'");
        }
        Path root = Path.of(spec);
        if (!Files.exists(root)) {
            throw new BadInputException(side + ": the folder " + spec + " does not exist");
        }
        if (!Files.isDirectory(root)) {
            throw new BadInputException(side + ": " + spec + " is a file; give the folder that holds the reports");
        }
        return new LocalFolder(side, root);
    }

    /**
     * The SDK's default chains, or the profile, region and endpoint given ({@link Connection}); S3 finds
     * each bucket's region itself, so without any region us-east-1 serves as the first one asked.
     */
    static S3Client client(String region, String profile, String endpoint) {
        try {
            return new Connection(profile, region, endpoint).client(S3Client.builder().crossRegionAccessEnabled(true)
                    .forcePathStyle(endpoint != null));
        } catch (Connection.NoRegionException e) {
            return new Connection(profile, "us-east-1", endpoint).client(S3Client.builder()
                    .crossRegionAccessEnabled(true).forcePathStyle(endpoint != null));
        }
    }

    /** A local folder. */
    record LocalFolder(String side, Path root) implements ReportSource {
        @Override
        public String location() {
            return root.toString();
        }

        @Override
        public List<String> files() {
            List<String> out = new ArrayList<>();
            try (Stream<Path> top = Files.list(root)) {
                for (Path p : top.sorted().toList()) {
                    String name = p.getFileName().toString();
                    if (Files.isRegularFile(p)) {
                        out.add(name);
                    } else if (Files.isDirectory(p) && !name.startsWith(".")) {
                        try (Stream<Path> below = Files.list(p)) {
                            below.filter(Files::isRegularFile).sorted()
                                    .forEach(f -> out.add(name + "/" + f.getFileName()));
                        }
                    }
                }
            } catch (IOException e) {
                throw new BadInputException(side + ": cannot list the folder " + root + ": " + e);
            }
            return out.stream().sorted().toList();
        }

        @Override
        public byte[] read(String path) {
            try {
                return Files.readAllBytes(root.resolve(path));
            } catch (IOException e) {
                throw new BadInputException(side + ": " + locate(path) + " is unreadable: " + e);
            }
        }
    }

    /** An S3 prefix ("" for the whole bucket, else ending in '/'). */
    record S3Prefix(String side, S3Client s3, String bucket, String prefix) implements ReportSource {
        @Override
        public String location() {
            return "s3://" + bucket + "/" + prefix;
        }

        @Override
        public List<String> files() {
            List<String> out = new ArrayList<>();
            try {
                for (ListObjectsV2Response page : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)
                        .delimiter("/"))) {
                    page.contents().forEach(o -> out.add(o.key().substring(prefix.length())));
                    for (CommonPrefix folder : page.commonPrefixes()) {
                        if (folder.prefix().substring(prefix.length()).startsWith(".")) {
                            continue;
                        }
                        for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(folder.prefix())
                                .delimiter("/")).contents()) {
                            out.add(o.key().substring(prefix.length()));
                        }
                    }
                }
            } catch (NoSuchBucketException e) {
                throw new BadInputException(side + ": the bucket " + bucket + " does not exist", e);
            } catch (SdkException e) {
                throw new BadInputException(side + ": cannot list " + location() + ": " + message(e), e);
            }
            return out.stream().filter(k -> !k.isEmpty() && !k.endsWith("/")).sorted().toList();
        }

        @Override
        public byte[] read(String path) {
            try {
                return s3.getObjectAsBytes(b -> b.bucket(bucket).key(prefix + path)).asByteArray();
            } catch (SdkException e) {
                throw new BadInputException(side + ": " + locate(path) + " is unreadable: " + message(e), e);
            }
        }

        private static String message(SdkException e) {
            return e.getMessage() + (e instanceof SdkClientException && String.valueOf(e.getMessage())
                    .contains("credentials") ? " (log in first: aws sso login, AWS_PROFILE or --profile)" : "");
        }
    }
}
