using System;
using System.Collections.Generic;
using System.Linq;
using RuleGen.Generator.Model;

namespace RuleGen.Generator.Languages.Eql;

/// <summary>What an argument of an EQL function accepts.</summary>
public enum EqlParameterKind
{
    /// <summary>A string (keyword-family field, string constant or string-valued expression).</summary>
    String,
    /// <summary>A number (integer or float).</summary>
    Number,
    /// <summary>An integer.</summary>
    Integer,
    /// <summary>A boolean constant.</summary>
    BooleanConstant,
    /// <summary>An integer constant.</summary>
    IntegerConstant,
    /// <summary>A string constant (CIDR blocks).</summary>
    StringConstant,
    /// <summary>An IP address: an ip field or a string.</summary>
    Ip,
    /// <summary>Anything.</summary>
    Any,
}

/// <summary>One function of Elasticsearch EQL's function reference: its arity, parameters and result.</summary>
public sealed class EqlFunctionInfo
{
    public EqlFunctionInfo(string name, ScalarFunction function, ScalarType? result, bool caseInsensitiveForm, EqlParameterKind[] parameters, int required, EqlParameterKind? repeated = null)
    {
        Name = name;
        Function = function;
        Result = result;
        CaseInsensitiveForm = caseInsensitiveForm;
        Parameters = parameters;
        Required = required;
        Repeated = repeated;
    }

    /// <summary>The documented spelling (names are matched ignoring case, as Elasticsearch does).</summary>
    public string Name { get; }

    public ScalarFunction Function { get; }

    /// <summary>The result type; null when it depends on the arguments (arithmetic, number()).</summary>
    public ScalarType? Result { get; }

    /// <summary>Whether <c>name~(...)</c> is allowed (the function compares text).</summary>
    public bool CaseInsensitiveForm { get; }

    public IReadOnlyList<EqlParameterKind> Parameters { get; }

    /// <summary>How many of <see cref="Parameters"/> must be given.</summary>
    public int Required { get; }

    /// <summary>The kind of any further arguments, for functions that take a list (concat, cidrMatch).</summary>
    public EqlParameterKind? Repeated { get; }

    public string Arity
    {
        get
        {
            if (Repeated is not null) return $"at least {Required} argument{(Required == 1 ? "" : "s")}";
            if (Required == Parameters.Count) return $"{Required} argument{(Required == 1 ? "" : "s")}";
            return $"{Required} to {Parameters.Count} arguments";
        }
    }

    public bool AcceptsCount(int count) => count >= Required && (Repeated is not null || count <= Parameters.Count);

    public EqlParameterKind ParameterAt(int index) => index < Parameters.Count ? Parameters[index] : Repeated ?? EqlParameterKind.Any;
}

/// <summary>Elasticsearch EQL's functions (the EQL function reference).</summary>
public static class EqlFunctions
{
    private static readonly EqlFunctionInfo[] s_all =
    {
        new("add", ScalarFunction.Add, null, false, new[] { EqlParameterKind.Number, EqlParameterKind.Number }, 2),
        new("between", ScalarFunction.Between, ScalarType.String, true,
            new[] { EqlParameterKind.String, EqlParameterKind.String, EqlParameterKind.String, EqlParameterKind.BooleanConstant }, 3),
        new("cidrMatch", ScalarFunction.CidrMatch, ScalarType.Boolean, false, new[] { EqlParameterKind.Ip, EqlParameterKind.StringConstant }, 2, EqlParameterKind.StringConstant),
        new("concat", ScalarFunction.Concat, ScalarType.String, false, new[] { EqlParameterKind.Any }, 1, EqlParameterKind.Any),
        new("divide", ScalarFunction.Divide, null, false, new[] { EqlParameterKind.Number, EqlParameterKind.Number }, 2),
        new("endsWith", ScalarFunction.EndsWith, ScalarType.Boolean, true, new[] { EqlParameterKind.String, EqlParameterKind.String }, 2),
        new("indexOf", ScalarFunction.IndexOf, ScalarType.Integer, true, new[] { EqlParameterKind.String, EqlParameterKind.String, EqlParameterKind.Integer }, 2),
        new("length", ScalarFunction.Length, ScalarType.Integer, false, new[] { EqlParameterKind.String }, 1),
        new("modulo", ScalarFunction.Modulo, null, false, new[] { EqlParameterKind.Number, EqlParameterKind.Number }, 2),
        new("multiply", ScalarFunction.Multiply, null, false, new[] { EqlParameterKind.Number, EqlParameterKind.Number }, 2),
        new("number", ScalarFunction.Number, null, false, new[] { EqlParameterKind.String, EqlParameterKind.IntegerConstant }, 1),
        new("startsWith", ScalarFunction.StartsWith, ScalarType.Boolean, true, new[] { EqlParameterKind.String, EqlParameterKind.String }, 2),
        new("string", ScalarFunction.String, ScalarType.String, false, new[] { EqlParameterKind.Any }, 1),
        new("stringContains", ScalarFunction.StringContains, ScalarType.Boolean, true, new[] { EqlParameterKind.String, EqlParameterKind.String }, 2),
        new("substring", ScalarFunction.Substring, ScalarType.String, false, new[] { EqlParameterKind.String, EqlParameterKind.Integer, EqlParameterKind.Integer }, 2),
        new("subtract", ScalarFunction.Subtract, null, false, new[] { EqlParameterKind.Number, EqlParameterKind.Number }, 2),
    };

    private static readonly Dictionary<string, EqlFunctionInfo> s_byName =
        s_all.ToDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);

    public static IReadOnlyList<EqlFunctionInfo> All => s_all;

    /// <summary>Finds a function by name, ignoring case (<c>startswith</c> is <c>startsWith</c>).</summary>
    public static EqlFunctionInfo? Find(string name) => s_byName.TryGetValue(name, out var info) ? info : null;

    public static string Names => string.Join(", ", s_all.Select(f => f.Name));
}
