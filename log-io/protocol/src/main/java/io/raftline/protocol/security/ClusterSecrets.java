package io.raftline.protocol.security;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The secrets a new cluster starts with, beside its cluster file: its key ({@value #KEY_FILE}) and a credential
 * with every right ({@value #ADMIN_CREDENTIALS_FILE}), both owner-only; what {@code cluster start}, {@code demo} and
 * {@code keys create} write.
 */
public final class ClusterSecrets
{
    public static final String KEY_FILE = "cluster.key";
    public static final String ADMIN_CREDENTIALS_FILE = "admin.credentials";

    private ClusterSecrets()
    {
    }

    /**
     * Writes what is missing of the two files in {@code dir} (a key already there is kept, and so is a credential);
     * returns the cluster-file settings that name them, relative to {@code dir}, in order.
     */
    public static Map<String, String> createIn(final Path dir)
    {
        final Path key = dir.resolve(KEY_FILE);
        if (!Files.exists(key))
        {
            ClusterKeys.create(key);
        }
        final Path admin = dir.resolve(ADMIN_CREDENTIALS_FILE);
        if (!Files.exists(admin))
        {
            ClientCredential.create(ClusterKeys.load(key), "admin", ClientCredential.ALL, admin);
        }
        final Map<String, String> settings = new LinkedHashMap<>();
        settings.put("cluster.key.file", KEY_FILE);
        settings.put("client.credentials.file", ADMIN_CREDENTIALS_FILE);
        return settings;
    }
}
