package com.omc.flywheel.shared;

/**
 * A folder in S3, {@code s3://bucket/prefix/}, always with the trailing slash (a table's location, a
 * raw input prefix, a CTAS's external location): the one parser of such URIs for every function.
 */
public record S3Location(String bucket, String prefix) {
    public static S3Location parse(String uri) {
        if (uri == null || !uri.startsWith("s3://")) {
            throw new IllegalArgumentException("location '" + uri + "' is not an s3:// URI");
        }
        String rest = uri.substring("s3://".length());
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : rest.substring(slash + 1);
        if (bucket.isEmpty()) {
            throw new IllegalArgumentException("location '" + uri + "' names no bucket");
        }
        if (!prefix.isEmpty() && !prefix.endsWith("/")) {
            prefix += "/";
        }
        return new S3Location(bucket, prefix);
    }

    public String uri() {
        return "s3://" + bucket + "/" + prefix;
    }

    /** The folder of one partition: {@code s3://bucket/prefix/key=value/}. */
    public String partitionUri(String key, String value) {
        return uri() + key + "=" + value + "/";
    }
}
