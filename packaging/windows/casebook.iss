; Inno Setup script for a Windows installer of Casebook -- NOT BUILT OR TESTED YET.
; Only the Linux bundle is built and tested in this project (see README, "Packaging").
; Expected use, on Windows with Python, the package extra and Inno Setup 6:
;   python packaging\build.py          (PyInstaller; makes packaging\dist\casebook\casebook.exe)
;   iscc packaging\windows\casebook.iss
; Before it works: the spec's Linux-only parts (objdump-based library pruning, Qt plugin paths
; with "/") need Windows equivalents, casebook.ico must be made from resources/icons, and the
; Start-menu entry wants a windowed (console=False) executable beside the console one.

#define AppName "Casebook"
#define AppVersion "0.1.0"
#define AppId "org.casebook.Casebook"
#define Bundle "..\dist\casebook"

[Setup]
AppId={#AppId}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=The Casebook developers
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequiredOverridesAllowed=dialog
OutputDir=..\dist
OutputBaseFilename=casebook-{#AppVersion}-setup
Compression=lzma2
SolidCompression=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
ChangesAssociations=yes
UninstallDisplayIcon={app}\casebook.exe

[Files]
Source: "{#Bundle}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\casebook.exe"; Parameters: "gui"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\casebook.exe"; Parameters: "gui"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "Create a desktop shortcut"; Flags: unchecked

[Registry]
; .casebook bundles open with `casebook gui FILE`
Root: HKA; Subkey: "Software\Classes\.casebook"; ValueType: string; ValueName: ""; ValueData: "Casebook.Bundle"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\Casebook.Bundle"; ValueType: string; ValueName: ""; ValueData: "Casebook case bundle"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\Casebook.Bundle\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\casebook.exe,0"
Root: HKA; Subkey: "Software\Classes\Casebook.Bundle\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\casebook.exe"" gui ""%1"""

[Run]
Filename: "{app}\casebook.exe"; Parameters: "gui"; Description: "Start Casebook"; Flags: nowait postinstall skipifsilent
