namespace TransportBrain.Hub.Catalog;

/// <summary>Short constructors so dataset declarations read like a schema table.</summary>
public static class Field
{
    public static FieldDefinition Text(string name, string zh, string en, bool required = false) =>
        new() { Name = name, Type = FieldType.String, DescriptionZh = zh, DescriptionEn = en, Required = required };

    public static FieldDefinition Integer(string name, string zh, string en, bool required = false, string? unit = null) =>
        new() { Name = name, Type = FieldType.Int64, DescriptionZh = zh, DescriptionEn = en, Required = required, Unit = unit };

    public static FieldDefinition Number(string name, string zh, string en, bool required = false, string? unit = null) =>
        new() { Name = name, Type = FieldType.Double, DescriptionZh = zh, DescriptionEn = en, Required = required, Unit = unit };

    public static FieldDefinition Flag(string name, string zh, string en, bool required = false) =>
        new() { Name = name, Type = FieldType.Boolean, DescriptionZh = zh, DescriptionEn = en, Required = required };

    public static FieldDefinition Time(string name, string zh, string en, bool required = false) =>
        new() { Name = name, Type = FieldType.Instant, DescriptionZh = zh, DescriptionEn = en, Required = required };
}

/// <summary>Patterns shared by many datasets.</summary>
public static class FieldPatterns
{
    /// <summary>
    /// A Chinese motor-vehicle plate: province character, issuing-authority letter, then 5 characters
    /// (6 for new-energy plates), with the special suffixes 挂 学 警 港 澳 and the embassy prefixes 使 领.
    /// </summary>
    public const string ChinesePlate =
        "[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Z][A-HJ-NP-Z0-9]{4,5}[A-HJ-NP-Z0-9挂学警港澳]|使[0-9]{6}|[0-9]{3}[0-9]{3}领";

    public const string ChinesePlateDescription = "a Chinese plate such as 贵A12345 or 贵AD12345";
}
