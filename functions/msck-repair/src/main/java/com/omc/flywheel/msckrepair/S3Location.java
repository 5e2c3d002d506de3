package com.omc.flywheel.msckrepair;

/** A table's storage location, {@code s3://bucket/prefix/}, always with the trailing slash. */
record S3Location(String bucket, String prefix) {
    static S3Location parse(String uri) {
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

    String uri() {
        return "s3://" + bucket + "/" + prefix;
    }

    /** The folder of one partition: {@code s3://bucket/prefix/key=value/}. */
    String partitionUri(String key, String value) {
        return uri() + key + "=" + value + "/";
    }
}
