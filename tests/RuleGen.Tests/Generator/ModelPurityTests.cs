using System.Collections;
using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using RuleGen.Generator;
using RuleGen.Generator.Emit;
using RuleGen.Generator.Model;
using RuleGen.Generator.Planning;
using RuleGen.Tests.Infrastructure;

namespace RuleGen.Tests.Generator;

/// <summary>
/// What flows through the incremental pipeline is pure data with value equality: no Compilation, symbol, syntax node or
/// Location anywhere in it (they would pin compilations in memory and defeat caching), and no collection compared by
/// reference.
/// </summary>
public sealed class ModelPurityTests
{
    /// <summary>The values the pipeline's steps produce, from which every other model type is reachable.</summary>
    private static readonly Type[] PipelineValues =
    {
        typeof(RuleModel), typeof(RuleFileInput), typeof(GeneratorOptions), typeof(RuleGenGenerator.NamedRuleSet),
        typeof(RuleEmitInput), typeof(RuleGenGenerator.EmittedRule), typeof(RuleSetPlan), typeof(SchemaPlan), typeof(RuleFields),
    };

    private static readonly Type[] Forbidden =
    {
        typeof(Compilation), typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxTree), typeof(SemanticModel), typeof(Location),
        typeof(AdditionalText), typeof(Diagnostic),
    };

    /// <summary>Every type reachable from the pipeline's values through fields, element types and subclasses.</summary>
    private static IReadOnlyCollection<Type> ReachableTypes()
    {
        var generatorTypes = typeof(RuleGenGenerator).Assembly.GetTypes();
        var seen = new HashSet<Type>();
        var queue = new Queue<Type>(PipelineValues);
        while (queue.Count > 0)
        {
            var type = queue.Dequeue();
            if (!seen.Add(type)) continue;
            if (type.IsPrimitive || type.IsEnum || type == typeof(string)) continue;
            if (Nullable.GetUnderlyingType(type) is { } underlying)
            {
                queue.Enqueue(underlying);
                continue;
            }
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(EquatableArray<>))
            {
                queue.Enqueue(type.GetGenericArguments()[0]);
                continue;
            }
            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)) queue.Enqueue(field.FieldType);
            if (type.IsAbstract)
            {
                foreach (var derived in generatorTypes.Where(t => t != type && type.IsAssignableFrom(t))) queue.Enqueue(derived);
            }
        }
        return seen;
    }

    [Fact]
    public void The_walk_reaches_the_predicate_and_matcher_records()
    {
        var types = ReachableTypes();
        Assert.Contains(typeof(FieldPredicate), types);
        Assert.Contains(typeof(NestedPredicate), types);
        Assert.Contains(typeof(WildcardMatcher), types);
        Assert.Contains(typeof(WildcardPart), types);
        Assert.Contains(typeof(SourceLocation), types);
        Assert.Contains(typeof(ThreatMapping), types);
        Assert.Contains(typeof(SchemaNode), types);
    }

    [Fact]
    public void No_model_type_holds_a_compilation_symbol_syntax_node_or_location()
    {
        foreach (var type in ReachableTypes())
        {
            foreach (var forbidden in Forbidden)
            {
                Assert.False(forbidden.IsAssignableFrom(type), $"{type.FullName} is a {forbidden.Name}");
            }
            Assert.False(type == typeof(object), "Some model field is typed object, which could hold anything");
        }
    }

    [Fact]
    public void Every_model_type_has_value_equality()
    {
        foreach (var type in ReachableTypes().Where(t => !t.IsPrimitive && !t.IsEnum && t != typeof(string) && Nullable.GetUnderlyingType(t) is null))
        {
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(EquatableArray<>)) continue;
            Assert.False(type.IsArray, $"An array ({type.Name}) compares by reference; use EquatableArray");
            Assert.False(typeof(IEnumerable).IsAssignableFrom(type), $"{type.FullName} is a collection without value equality; use EquatableArray");
            Assert.True(typeof(IEquatable<>).MakeGenericType(type).IsAssignableFrom(type), $"{type.FullName} does not implement IEquatable<{type.Name}>");
        }
    }

    [Fact]
    public void Parsing_the_same_file_twice_gives_equal_models_and_an_edit_does_not()
    {
        var text = File.ReadAllText(Repo.SeedRulePath);
        RuleModel Parse(string t) => RuleGenGenerator.ParseRule(new RuleFileInput("rules/seed.toml", "rules/seed.toml", t));
        var first = Parse(text);
        var second = Parse(text);
        Assert.NotSame(first, second);
        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());

        var options = new GeneratorOptions(GeneratorOptions.DefaultNamespace, "");
        Assert.Equal(RuleGenGenerator.NameRules(ImmutableArray.Create(first), options), RuleGenGenerator.NameRules(ImmutableArray.Create(second), options));

        Assert.NotEqual(first, Parse(text.Replace("(Success or success)", "(Success)")));
        Assert.NotEqual(first, Parse(text.Replace("risk_score = 47", "risk_score = 48")));
    }
}
