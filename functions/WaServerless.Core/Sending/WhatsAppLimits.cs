namespace WaServerless.Core.Sending;

/// <summary>WhatsApp's own limits on message parts, as Meta documents them for the Cloud API.</summary>
public static class WhatsAppLimits
{
    public const int TextMaxLength = 4096;
    public const int CaptionMaxLength = 1024;
    public const int InteractiveBodyMaxLength = 1024;
    public const int FooterMaxLength = 60;
    public const int MaxReplyButtons = 3;
    public const int ButtonTitleMaxLength = 20;
    public const int ButtonIdMaxLength = 256;
    public const int ListHeaderMaxLength = 60;
    public const int ListButtonMaxLength = 20;
    public const int ListMaxSections = 10;
    public const int ListMaxRows = 10;
    public const int ListSectionTitleMaxLength = 24;
    public const int ListRowTitleMaxLength = 24;
    public const int ListRowDescriptionMaxLength = 72;
    public const int ListRowIdMaxLength = 200;
    public const int CopyCodeMaxLength = 15;
    public const int FilenameMaxLength = 240;
    public const int LocationLabelMaxLength = 1000;
    public const int ContactNameMaxLength = 256;
    public const int MediaUrlMaxLength = 2048;
    public const int IdempotencyKeyMaxLength = 128;
}
