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

    /// <summary>A URL button's link (Meta's cta_url allows 2,000 characters).</summary>
    public const int ButtonUrlMaxLength = 2000;
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

    /// <summary>A poll's question, and each of its 2 to 12 options.</summary>
    public const int PollQuestionMaxLength = 255;
    public const int PollOptionMaxLength = 100;
    public const int PollMinOptions = 2;
    public const int PollMaxOptions = 12;

    /// <summary>An album: up to 10 images and videos (SmartWats' limit, and what WhatsApp groups in one row).</summary>
    public const int AlbumMaxItems = 10;

    /// <summary>A carousel: up to 10 cards of 1 to 3 buttons; Meta's card body is at most 160 characters.</summary>
    public const int CarouselMaxCards = 10;
    public const int CarouselCardMaxButtons = 3;
    public const int CarouselCardTitleMaxLength = 60;
    public const int CarouselCardBodyMaxLength = 160;

    /// <summary>Meta's interactive carousel: 2 to 10 cards.</summary>
    public const int CloudApiCarouselMinCards = 2;

    /// <summary>The label of a copy-code button (Meta's limit for template button text).</summary>
    public const int CopyButtonLabelMaxLength = 25;
    public const int FilenameMaxLength = 240;
    public const int LocationLabelMaxLength = 1000;
    public const int ContactNameMaxLength = 256;
    public const int MediaUrlMaxLength = 2048;
    public const int IdempotencyKeyMaxLength = 128;

    public const int TemplateNameMaxLength = 512;

    /// <summary>A body parameter's limit when the message has other components (header, buttons)...</summary>
    public const int TemplateBodyParameterMaxLength = 1024;

    /// <summary>...and when the body is the only component sent.</summary>
    public const int TemplateBodyOnlyParameterMaxLength = 32768;

    public const int TemplateHeaderTextMaxLength = 60;

    /// <summary>Meta rejects a text parameter with a newline, a tab or more than this many spaces in a row (error 132018).</summary>
    public const int TemplateMaxConsecutiveSpaces = 4;

    public const int TemplateMaxButtons = 10;

    /// <summary>A URL button's whole URL, the template's prefix and this suffix, is at most 2000 characters.</summary>
    public const int TemplateUrlSuffixMaxLength = 2000;

    // Our own caps, not Meta's: a quick-reply payload as long as an interactive reply id; at most
    // 100 body parameters and 8192 characters of parameters in all, so that the message stays well
    // inside a queue message (64 KiB on Storage Queues) and a table property (32K characters).
    public const int TemplateButtonPayloadMaxLength = 256;
    public const int TemplateMaxBodyParameters = 100;
    public const int TemplateParametersMaxTotalLength = 8192;
}
