package io.raftline.protocol.security;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Locale;
import java.util.Properties;
import java.util.StringJoiner;

/**
 * What a client proves when it connects: a name, the rights it has, and a secret the nodes derive from the cluster
 * key the credential was made under ({@code HMAC-SHA256(key, "raftline-credential:" + name + ":" + rights)}), so
 * that nodes keep no list of credentials. The client signs every frame it sends with the secret; a credential
 * lasts as long as its cluster key (a rotation that drops the key ends every credential made under it). Its file
 * ({@code name=}, {@code rights=produce,consume,admin}, {@code key=N}, {@code secret=BASE64}) is owner-only.
 */
public final class ClientCredential
{
    public static final int PRODUCE = 1;
    public static final int CONSUME = 2;
    public static final int ADMIN = 4;
    public static final int ALL = PRODUCE | CONSUME | ADMIN;
    public static final int MAX_NAME_BYTES = 64;

    private final String name;
    private final int rights;
    private final int keyId;
    private final byte[] secret;

    private ClientCredential(final String name, final int rights, final int keyId, final byte[] secret)
    {
        this.name = name;
        this.rights = rights;
        this.keyId = keyId;
        this.secret = secret;
    }

    /** The secret of the credential ({@code name}, {@code rights}) under key {@code keyId}, or null if not held. */
    public static byte[] secret(final ClusterKeys keys, final int keyId, final String name, final int rights)
    {
        final byte[] key = keys.key(keyId);
        if (key == null)
        {
            return null;
        }
        final byte[] secret = new byte[Hmac.LENGTH];
        CredentialChecker.derive(new Hmac(key), name, rights, secret);
        return secret;
    }

    /** Makes a credential under the key the cluster signs with and writes it, owner-only, to {@code file}. */
    public static ClientCredential create(final ClusterKeys keys, final String name, final int rights, final Path file)
    {
        checkName(name);
        final ClientCredential credential = new ClientCredential(name, rights, keys.signWith(),
            secret(keys, keys.signWith(), name, rights));
        final String text = "# a Raftline client credential: keep it secret, owner-only\nname=" + name +
            "\nrights=" + rightsText(rights) + "\nkey=" + credential.keyId + "\nsecret=" +
            Base64.getEncoder().encodeToString(credential.secret) + "\n";
        try
        {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, text, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(file + ": cannot create the credential file: " + ex.getMessage(), ex);
        }
        return credential;
    }

    /**
     * Reads a credential file; refuses one that others can read, or that is not a credential, naming it.
     *
     * @throws IllegalArgumentException naming the file and what is wrong
     */
    public static ClientCredential load(final Path file)
    {
        ClusterKeys.checkOwnerOnly(file);
        final Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            properties.load(reader);
        }
        catch (final java.nio.charset.CharacterCodingException ex)
        {
            throw new IllegalArgumentException(file + ": not a credential file (not text)");
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            throw new IllegalArgumentException(file + ": cannot read the credential file: " + ex.getMessage());
        }
        final String name = required(file, properties, "name");
        try
        {
            checkName(name);
            final int rights = parseRights(required(file, properties, "rights"));
            final int keyId = Integer.parseInt(required(file, properties, "key"));
            final byte[] secret = Base64.getDecoder().decode(required(file, properties, "secret"));
            if (secret.length != Hmac.LENGTH || keyId < 1)
            {
                throw new IllegalArgumentException("not a credential (key or secret malformed)");
            }
            return new ClientCredential(name, rights, keyId, secret);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException(file + ": " + ex.getMessage());
        }
    }

    /** {@code produce,consume,admin} (any of them, in any order) as a bit set. */
    public static int parseRights(final String text)
    {
        int rights = 0;
        for (final String right : text.split(","))
        {
            rights |= switch (right.strip().toLowerCase(Locale.ROOT))
            {
                case "produce" -> PRODUCE;
                case "consume" -> CONSUME;
                case "admin" -> ADMIN;
                default -> throw new IllegalArgumentException("unknown right '" + right.strip() +
                    "': the rights are produce, consume, admin");
            };
        }
        return rights;
    }

    /** The rights' names, comma-separated: {@code produce,consume}. */
    public static String rightsText(final int rights)
    {
        final StringJoiner text = new StringJoiner(",");
        if ((rights & PRODUCE) != 0)
        {
            text.add("produce");
        }
        if ((rights & CONSUME) != 0)
        {
            text.add("consume");
        }
        if ((rights & ADMIN) != 0)
        {
            text.add("admin");
        }
        return text.toString();
    }

    private static void checkName(final String name)
    {
        final int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes < 1 || bytes > MAX_NAME_BYTES || !name.matches("[\\x21-\\x7e]+"))
        {
            throw new IllegalArgumentException("a credential's name is 1 to " + MAX_NAME_BYTES +
                " printable ASCII characters without spaces: '" + name + "'");
        }
    }

    private static String required(final Path file, final Properties properties, final String key)
    {
        final String value = properties.getProperty(key);
        if (value == null || value.isBlank())
        {
            throw new IllegalArgumentException(file + ": no " + key + "= in the credential file");
        }
        return value.strip();
    }

    public String name()
    {
        return name;
    }

    public int rights()
    {
        return rights;
    }

    public int keyId()
    {
        return keyId;
    }

    /** Signs the frames of a connection under this credential. */
    public FrameAuthenticator authenticator()
    {
        return new FrameAuthenticator(ClusterKeys.of(keyId, secret));
    }

    /**
     * On a node: checks the frames of a client that claims credential ({@code name}, {@code rights}) made under key
     * {@code keyId}, or null when the node does not hold that key.
     */
    public static FrameAuthenticator checker(final ClusterKeys keys, final int keyId, final String name, final int rights)
    {
        final byte[] secret = secret(keys, keyId, name, rights);
        return secret == null ? null : new FrameAuthenticator(ClusterKeys.of(keyId, secret));
    }
}
