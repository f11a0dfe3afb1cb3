using System.Security.Cryptography;

namespace WaServerless.DevHost;

/// <summary>A local run's encryption key in a file: read when it is there, else 32 random bytes written there first.</summary>
internal static class LocalKeyFile
{
    public static string LoadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            var saved = File.ReadAllText(path).Trim();
            if (saved.Length > 0)
            {
                return saved;
            }
        }

        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, key + Environment.NewLine);
        return key;
    }
}
