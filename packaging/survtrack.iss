; Inno Setup 6 script: per-machine installer for the PyInstaller bundle (dist\SurvTrack).
; Built by `python packaging/build.py --installer`, which passes the version and the bundle:
;   iscc /DAppVersion=0.1.0 /DDist=...\dist\SurvTrack packaging\survtrack.iss
;
; The uninstaller removes only what this installer copied. It never deletes a database or any
; settings: %PROGRAMDATA%\SurvTrack (the machine-wide data folder) and %LOCALAPPDATA%\SurvTrack
; (the per-user data folder) are not named anywhere below, on purpose. Keep it that way: there is
; no [UninstallDelete] section and no {commonappdata} / {localappdata} entry.

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=X.Y.Z (packaging/build.py does this)
#endif
#ifndef Dist
  #define Dist "..\dist\SurvTrack"
#endif

[Setup]
AppId={{6B1E3C52-7D0A-4C59-9E0B-2F3A8D1C4E77}
AppName=SurvTrack
AppVersion={#AppVersion}
AppVerName=SurvTrack {#AppVersion}
AppPublisher=SurvTrack
VersionInfoVersion={#AppVersion}
DefaultDirName={autopf}\SurvTrack
DefaultGroupName=SurvTrack
DisableProgramGroupPage=yes
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
SetupIconFile={#Dist}\_internal\survtrack\resources\icons\survtrack.ico
UninstallDisplayIcon={app}\SurvTrack.exe
UninstallDisplayName=SurvTrack {#AppVersion}
OutputDir={#Dist}\..
OutputBaseFilename=SurvTrack-{#AppVersion}-setup
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes

[Files]
; the whole onedir bundle: SurvTrack.exe (windowed), survtrack-cli.exe (console), _internal\
Source: "{#Dist}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\SurvTrack"; Filename: "{app}\SurvTrack.exe"; WorkingDir: "{app}"
Name: "{autoprograms}\SurvTrack (demo database)"; Filename: "{app}\SurvTrack.exe"; Parameters: "--demo"; WorkingDir: "{app}"
Name: "{autodesktop}\SurvTrack"; Filename: "{app}\SurvTrack.exe"; WorkingDir: "{app}"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Run]
Filename: "{app}\SurvTrack.exe"; Description: "{cm:LaunchProgram,SurvTrack}"; Flags: nowait postinstall skipifsilent
