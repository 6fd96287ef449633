using System.Globalization;
using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;

namespace TransportBrain.Identity;

/// <summary>
/// Password hashes: PBKDF2 with HMAC-SM3 (GB/T 32905), a 16-byte random salt and a 32-byte key.
/// Stored as <c>pbkdf2-hmac-sm3$iterations$salt-base64$key-base64</c>, so the work factor can rise
/// later without invalidating stored hashes.
/// </summary>
public static class PasswordHasher
{
    public const string Scheme = "pbkdf2-hmac-sm3";
    public const int DefaultIterations = 60_000;
    private const int SaltBytes = 16;
    private const int KeyBytes = 32;

    public static string Hash(string password, int iterations = DefaultIterations)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var key = Derive(password, salt, iterations, KeyBytes);
        return string.Join('$', Scheme, iterations.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(salt), Convert.ToBase64String(key));
    }

    /// <summary>True when the password matches the stored hash; a malformed hash never matches.</summary>
    public static bool Verify(string password, string stored)
    {
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations) || iterations < 1 || iterations > 10_000_000)
        {
            return false;
        }
        byte[] salt, expected;
        try
        {
            salt = Convert.FromBase64String(parts[2]);
            expected = Convert.FromBase64String(parts[3]);
        }
        catch (FormatException)
        {
            return false;
        }
        var actual = Derive(password, salt, iterations, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    public static int IterationsOf(string stored) =>
        stored.Split('$') is [Scheme, var n, _, _] && int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : 0;

    private static byte[] Derive(string password, byte[] salt, int iterations, int length)
    {
        var gen = new Pkcs5S2ParametersGenerator(new SM3Digest());
        gen.Init(System.Text.Encoding.UTF8.GetBytes(password), salt, iterations);
        return ((KeyParameter)gen.GenerateDerivedMacParameters(length * 8)).GetKey();
    }
}
