using System.Collections;
using System.Reflection;
using System.Runtime.CompilerServices;
using Sim.Stack.Host;
using Sim.Worlds;

namespace Sim.Tests;

/// <summary>The rules that keep runs independent and replayable, checked on the built assemblies.</summary>
public sealed class DeterminismRulesTests
{
    public static TheoryData<string> Assemblies => new() { typeof(IHost).Assembly.GetName().Name!, typeof(World).Assembly.GetName().Name! };

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void TheStackAndTheWorldHoldNoStaticMutableState(string assemblyName)
    {
        var assembly = AppDomain.CurrentDomain.GetAssemblies().Single(a => a.GetName().Name == assemblyName);
        var offenders = new List<string>();
        foreach (var type in assembly.GetTypes().Where(t => !t.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false) && !t.Name.StartsWith('<')))
        {
            foreach (var field in type.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (field.IsLiteral || field.Name.StartsWith('<') && field.IsInitOnly || IsGeneratedContract(type))
                {
                    continue;
                }

                var mutableValue = field.IsInitOnly && (typeof(IList).IsAssignableFrom(field.FieldType) && !field.FieldType.IsArray
                    || field.FieldType.IsGenericType && field.FieldType.GetGenericTypeDefinition() is { } g
                        && (g == typeof(Dictionary<,>) || g == typeof(HashSet<>) || g == typeof(List<>)));
                if (!field.IsInitOnly || mutableValue)
                {
                    offenders.Add($"{type.FullName}.{field.Name}");
                }
            }
        }

        Assert.True(offenders.Count == 0, "static mutable state leaks between runs: " + string.Join(", ", offenders));
    }

    // protoc's and gRPC's generated classes keep static readonly descriptors only; their private caches
    // are the generator's business.
    private static bool IsGeneratedContract(Type type) =>
        type.Namespace is { } ns && (ns.EndsWith(".Contracts", StringComparison.Ordinal) || ns.EndsWith(".Wire", StringComparison.Ordinal));
}
