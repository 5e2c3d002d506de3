package com.omc.flywheel.local.athena;

import java.util.regex.Pattern;

/** An {@code s3://bucket/key} URL as its bucket and key. */
record S3Path(String bucket, String key) {
    private static final Pattern S3_URL = Pattern.compile("s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?");

    /** Whether {@code url} is an s3:// URL of a valid bucket name (Athena's check of a location). */
    static boolean valid(String url) {
        return S3_URL.matcher(url).matches();
    }

    static S3Path of(String url) {
        String rest = url.substring("s3://".length());
        int slash = rest.indexOf('/');
        return slash < 0 ? new S3Path(rest, "") : new S3Path(rest.substring(0, slash), rest.substring(slash + 1));
    }

    /** The same path ending in '/' (a folder), unless it is the bucket itself. */
    S3Path asFolder() {
        return key.isEmpty() || key.endsWith("/") ? this : new S3Path(bucket, key + "/");
    }

    /** The object {@code name} in this folder. */
    S3Path child(String name) {
        return new S3Path(bucket, key + name);
    }

    String url() {
        return "s3://" + bucket + "/" + key;
    }
}
