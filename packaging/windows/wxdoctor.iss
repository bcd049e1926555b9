; Inno Setup 6 script: installs wxdoctor for all users under Program Files.
; Built by `python packaging/build.py --installer`, which runs
;   iscc /DAppVersion=<pyproject version> /DFileVersion=<a.b.c.d> /DSourceDir=dist\wxdoctor
;        /DOutputDir=dist\installer packaging\windows\wxdoctor.iss
; The defaults below let the script also compile from the Inno Setup IDE after a build.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef FileVersion
  #define FileVersion "0.0.0.0"
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\wxdoctor"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist\installer"
#endif

; Chinese (Simplified): an official translation since Inno Setup 7.0.2, installed with the
; compiler; before that an unofficial one (Files\Languages\Unofficial\ in the Inno Setup
; source) that Inno Setup 6 does not install. Use the compiler's copy when it has one
; (Languages\ or Languages\Unofficial\), else packaging\windows\ChineseSimplified.isl, which
; the release workflow downloads from the Inno Setup source at the compiler's own tag.
#ifndef ChineseIsl
  #if FileExists(AddBackslash(CompilerPath) + "Languages\ChineseSimplified.isl")
    #define ChineseIsl "compiler:Languages\ChineseSimplified.isl"
  #elif FileExists(AddBackslash(CompilerPath) + "Languages\Unofficial\ChineseSimplified.isl")
    #define ChineseIsl "compiler:Languages\Unofficial\ChineseSimplified.isl"
  #else
    #define ChineseIsl "ChineseSimplified.isl"
  #endif
#endif

#define AppName "wxdoctor"
#define AppExe "wxdoctor-gui.exe"

[Setup]
; AppId identifies the installation for upgrades and the uninstaller: never change it.
AppId={{6F1C2B7E-4D3A-4E8B-9C51-2A7D0E9B3F64}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=wxdoctor
AppCopyright=MIT License
VersionInfoVersion={#FileVersion}
VersionInfoProductVersion={#FileVersion}
VersionInfoDescription={#AppName} setup
; Per-machine install under Program Files: the one UAC prompt of the setup. The fixes that
; need administrator rights start wxdoctor's own executable through UAC, so its files must
; be where a standard user cannot change them (a per-user folder would let any program of
; the person plant a DLL that runs as administrator at the next prompt). Someone without
; administrator rights may still choose "only for me" in the setup's dialog: that copy runs
; every check, and refuses to ask for administrator rights (the app checks its own folder's
; ACL before every prompt).
PrivilegesRequired=admin
PrivilegesRequiredOverridesAllowed=dialog
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
DisableDirPage=auto
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#OutputDir}
OutputBaseFilename={#AppName}-{#AppVersion}-setup
SetupIconFile=..\icons\app.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName} {#AppVersion}
WizardStyle=modern
Compression=lzma2/max
SolidCompression=yes
#ifdef Sign
; Authenticode: setup.exe and the uninstaller are signed (and timestamped) as they are
; written, by packaging\windows\sign.py; build.py defines the tool when the release has a
; certificate (ISCC /Swxsign=... /DSign=1).
SignTool=wxsign
SignedUninstaller=yes
#endif
; Offer to close a running wxdoctor so its files can be replaced.
CloseApplications=yes
ShowLanguageDialog=auto
LanguageDetectionMethod=uilanguage

[Languages]
; The first entry is the default when the Windows UI language matches neither.
Name: "chinesesimplified"; MessagesFile: "{#ChineseIsl}"
Name: "english"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
chinesesimplified.ShortcutName=微信网络医生
english.ShortcutName=WeChat Network Doctor
chinesesimplified.ShortcutComment=检查微信 / 企业微信为什么无法登录或连接
english.ShortcutComment=Find out why WeChat or WeCom cannot log in or connect

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{cm:ShortcutName}"; Filename: "{app}\{#AppExe}"; Comment: "{cm:ShortcutComment}"
Name: "{group}\{cm:UninstallProgram,{cm:ShortcutName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{cm:ShortcutName}"; Filename: "{app}\{#AppExe}"; Comment: "{cm:ShortcutComment}"; Tasks: desktopicon

[Run]
; Started as the person who ran the setup, never with the setup's administrator rights.
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{cm:ShortcutName}}"; Flags: nowait postinstall skipifsilent runasoriginaluser

[UninstallDelete]
; Byte-code caches and logs the app may write beside itself; user data lives elsewhere.
Type: filesandordirs; Name: "{app}\_internal\__pycache__"
