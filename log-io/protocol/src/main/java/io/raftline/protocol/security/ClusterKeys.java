package io.raftline.protocol.security;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * The cluster's keys, from its key file: one or two 256-bit keys by id ({@code key.N=BASE64}) and the one frames are
 * signed with ({@code sign.with=N}). A node accepts frames under any key the file holds, so a key is rotated
 * without downtime: add the new key on every node, then sign with it on every node, then drop the old one. The file
 * must be readable by its owner only.
 */
public final class ClusterKeys
{
    public static final int KEY_BYTES = 32;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final Map<Integer, byte[]> keys;
    private final int signWith;

    private ClusterKeys(final Map<Integer, byte[]> keys, final int signWith)
    {
        this.keys = keys;
        this.signWith = signWith;
    }

    /**
     * Reads a key file; refuses one that others can read, or that is not a key file, with a message that names it.
     *
     * @throws IllegalArgumentException naming the file and what is wrong
     */
    public static ClusterKeys load(final Path file)
    {
        checkOwnerOnly(file);
        final Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            properties.load(reader);
        }
        catch (final java.nio.file.NoSuchFileException ex)
        {
            throw new IllegalArgumentException(file + ": no such key file");
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            throw new IllegalArgumentException(file + ": cannot read the key file: " + ex.getMessage());
        }
        final Map<Integer, byte[]> keys = new TreeMap<>();
        for (final String name : properties.stringPropertyNames())
        {
            if (!name.startsWith("key."))
            {
                continue;
            }
            final int id = parseId(file, name.substring(4), name);
            final byte[] key;
            try
            {
                key = Base64.getDecoder().decode(properties.getProperty(name).strip());
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException(file + ": " + name + " is not base64");
            }
            if (key.length != KEY_BYTES)
            {
                throw new IllegalArgumentException(file + ": " + name + " must be " + KEY_BYTES + " bytes, not " +
                    key.length);
            }
            keys.put(id, key);
        }
        if (keys.isEmpty())
        {
            throw new IllegalArgumentException(file + ": no key (key.N=BASE64) in the key file");
        }
        final String signWith = properties.getProperty("sign.with");
        final int signId = signWith == null && keys.size() == 1 ? keys.keySet().iterator().next() :
            parseId(file, signWith == null ? "" : signWith.strip(), "sign.with");
        if (!keys.containsKey(signId))
        {
            throw new IllegalArgumentException(file + ": sign.with=" + signId + " names no key in the file");
        }
        return new ClusterKeys(keys, signId);
    }

    /** One key, signed with: a client connection's, whose key is its credential's secret. */
    static ClusterKeys of(final int id, final byte[] key)
    {
        final Map<Integer, byte[]> keys = new TreeMap<>();
        keys.put(id, key);
        return new ClusterKeys(keys, id);
    }

    /** Writes a new key file with one random key, readable by its owner only; refuses to overwrite one. */
    public static void create(final Path file)
    {
        final byte[] key = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(key);
        final String text = "# the key every node's frames are authenticated with: keep it secret, owner-only\n" +
            "key.1=" + Base64.getEncoder().encodeToString(key) + "\nsign.with=1\n";
        try
        {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            Files.writeString(file, text, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(file + ": cannot create the key file: " + ex.getMessage(), ex);
        }
    }

    /** Refuses a secret file that its group or others may read or write. */
    public static void checkOwnerOnly(final Path file)
    {
        if (Files.isDirectory(file))
        {
            throw new IllegalArgumentException(file + ": a folder, not a file");
        }
        try
        {
            final Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            for (final PosixFilePermission permission : permissions)
            {
                if (!permission.name().startsWith("OWNER"))
                {
                    throw new IllegalArgumentException(file + ": its group or others can access it (" +
                        PosixFilePermissions.toString(permissions) + "); make it owner-only: chmod 600 " + file);
                }
            }
        }
        catch (final java.nio.file.NoSuchFileException ex)
        {
            throw new IllegalArgumentException(file + ": no such file");
        }
        catch (final UnsupportedOperationException ex)
        {
            // a file system without POSIX permissions: nothing to check
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException(file + ": cannot read its permissions: " + ex.getMessage());
        }
    }

    private static int parseId(final Path file, final String text, final String what)
    {
        try
        {
            final int id = Integer.parseInt(text);
            if (id >= 1)
            {
                return id;
            }
        }
        catch (final NumberFormatException ignored)
        {
            // said below
        }
        throw new IllegalArgumentException(file + ": " + what + ": a key id is a whole number from 1");
    }

    /** The key frames are signed with. */
    public int signWith()
    {
        return signWith;
    }

    /** The key of id {@code id}, or null. */
    byte[] key(final int id)
    {
        return keys.get(id);
    }

    Set<Integer> ids()
    {
        return keys.keySet();
    }
}
