/**
 * GENERATED FILE: DO NOT EDIT. Re-generate with `npm run gen:attack` (scripts/gen-attack.ts).
 *
 * MITRE ATT&CK for ICS 18.1, parsed from the STIX 2.1 bundle ics-attack.json
 *   bundle id: bundle--e4f0febd-b8cf-4272-b892-71049d272c40
 *   collection modified: 2025-11-13T14:00:00.188Z
 *   source: https://github.com/mitre-attack/attack-stix-data ics-attack/ics-attack-18.1.json
 *   commit: 7ad8a86f41edc91dd37de0487b0c2f44ae3a3af7
 *   sha256: a7c0106492843485340710be9e841c1584d8fc6da8950e7097db0e7b5bc9f164
 *   12 tactics; 95 techniques = 83 active + 12 deprecated + 0 revoked
 *
 * Copyright 2015-2025, The MITRE Corporation. MITRE ATT&CK and ATT&CK are registered trademarks of The MITRE Corporation.
 *
 * MITRE ATT&CK licence (also in ATTACK-ICS-LICENSE.txt):
 *
 * License
 * -------
 * The MITRE Corporation (MITRE) hereby grants you a non-exclusive, royalty-free license to use ATT&CK® for research,
 * development, and commercial purposes. Any copy you make for such purposes is authorized provided that you reproduce
 * MITRE's copyright designation and this license in any such copy.
 *
 * "© 2025 The MITRE Corporation. This work is reproduced and distributed with the permission of The MITRE Corporation."
 *
 * Disclaimers
 * -----------
 * MITRE does not claim ATT&CK enumerates all possibilities for the types of actions and behaviors documented as part
 * of its adversary model and framework of techniques. Using the information contained within ATT&CK to address or cover
 * full categories of techniques will not guarantee full defensive coverage as there may be undisclosed techniques or
 * variations on existing techniques not documented by ATT&CK.
 *
 * ALL DOCUMENTS AND THE INFORMATION CONTAINED THEREIN ARE PROVIDED ON AN "AS IS" BASIS AND THE CONTRIBUTOR, THE
 * ORGANIZATION HE/SHE REPRESENTS OR IS SPONSORED BY (IF ANY), THE MITRE CORPORATION, ITS BOARD OF TRUSTEES, OFFICERS,
 * AGENTS, AND EMPLOYEES, DISCLAIM ALL WARRANTIES, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO ANY WARRANTY THAT
 * THE USE OF THE INFORMATION THEREIN WILL NOT INFRINGE ANY RIGHTS OR ANY IMPLIED WARRANTIES OF MERCHANTABILITY OR
 * FITNESS FOR A PARTICULAR PURPOSE.
 */

export const ATTACK_ICS_VERSION = "18.1";

export const ATTACK_ICS_SOURCE = {
  file: "ics-attack.json",
  bundleId: "bundle--e4f0febd-b8cf-4272-b892-71049d272c40",
  collectionModified: "2025-11-13T14:00:00.188Z",
  repo: "https://github.com/mitre-attack/attack-stix-data",
  path: "ics-attack/ics-attack-18.1.json",
  commit: "7ad8a86f41edc91dd37de0487b0c2f44ae3a3af7",
  sha256: "a7c0106492843485340710be9e841c1584d8fc6da8950e7097db0e7b5bc9f164",
} as const;

/** ICS tactics in matrix order; `sentinel` is the Microsoft Sentinel AttackTactic value. */
export const ICS_TACTICS = [
  { id: "TA0108", name: "Initial Access", shortname: "initial-access", order: 1, sentinel: "InitialAccess" },
  { id: "TA0104", name: "Execution", shortname: "execution", order: 2, sentinel: "Execution" },
  { id: "TA0110", name: "Persistence", shortname: "persistence", order: 3, sentinel: "Persistence" },
  { id: "TA0111", name: "Privilege Escalation", shortname: "privilege-escalation", order: 4, sentinel: "PrivilegeEscalation" },
  { id: "TA0103", name: "Evasion", shortname: "evasion", order: 5, sentinel: "DefenseEvasion" },
  { id: "TA0102", name: "Discovery", shortname: "discovery", order: 6, sentinel: "Discovery" },
  { id: "TA0109", name: "Lateral Movement", shortname: "lateral-movement", order: 7, sentinel: "LateralMovement" },
  { id: "TA0100", name: "Collection", shortname: "collection", order: 8, sentinel: "Collection" },
  { id: "TA0101", name: "Command and Control", shortname: "command-and-control", order: 9, sentinel: "CommandAndControl" },
  { id: "TA0107", name: "Inhibit Response Function", shortname: "inhibit-response-function", order: 10, sentinel: "InhibitResponseFunction" },
  { id: "TA0106", name: "Impair Process Control", shortname: "impair-process-control", order: 11, sentinel: "ImpairProcessControl" },
  { id: "TA0105", name: "Impact", shortname: "impact", order: 12, sentinel: "Impact" },
] as const;

/** Every attack-pattern in the bundle, sorted by id; `tactics` are shortnames in matrix order. */
export const ICS_TECHNIQUES = [
  { id: "T0800", name: "Activate Firmware Update Mode", tactics: ["inhibit-response-function"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0800" },
  { id: "T0801", name: "Monitor Process State", tactics: ["collection"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0801" },
  { id: "T0802", name: "Automated Collection", tactics: ["collection"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0802" },
  { id: "T0803", name: "Block Command Message", tactics: ["inhibit-response-function"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0803" },
  { id: "T0804", name: "Block Reporting Message", tactics: ["inhibit-response-function"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0804" },
  { id: "T0805", name: "Block Serial COM", tactics: ["inhibit-response-function"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0805" },
  { id: "T0806", name: "Brute Force I/O", tactics: ["impair-process-control"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0806" },
  { id: "T0807", name: "Command-Line Interface", tactics: ["execution"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0807" },
  { id: "T0808", name: "Control Device Identification", tactics: ["discovery"], deprecated: true, revoked: false, url: "https://attack.mitre.org/techniques/T0808" },
  { id: "T0809", name: "Data Destruction", tactics: ["inhibit-response-function"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0809" },
  { id: "T0810", name: "Data Historian Compromise", tactics: ["initial-access"], deprecated: true, revoked: false, url: "https://attack.mitre.org/techniques/T0810" },
  { id: "T0811", name: "Data from Information Repositories", tactics: ["collection"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0811" },
  { id: "T0812", name: "Default Credentials", tactics: ["lateral-movement"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0812" },
  { id: "T0813", name: "Denial of Control", tactics: ["impact"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0813" },
  { id: "T0814", name: "Denial of Service", tactics: ["inhibit-response-function"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0814" },
  { id: "T0815", name: "Denial of View", tactics: ["impact"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0815" },
  { id: "T0816", name: "Device Restart/Shutdown", tactics: ["inhibit-response-function"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0816" },
  { id: "T0817", name: "Drive-by Compromise", tactics: ["initial-access"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0817" },
  { id: "T0818", name: "Engineering Workstation Compromise", tactics: ["initial-access"], deprecated: true, revoked: false, url: "https://attack.mitre.org/techniques/T0818" },
  { id: "T0819", name: "Exploit Public-Facing Application", tactics: ["initial-access"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0819" },
  { id: "T0820", name: "Exploitation for Evasion", tactics: ["evasion"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0820" },
  { id: "T0821", name: "Modify Controller Tasking", tactics: ["execution"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0821" },
  { id: "T0822", name: "External Remote Services", tactics: ["initial-access"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0822" },
  { id: "T0823", name: "Graphical User Interface", tactics: ["execution"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0823" },
  { id: "T0824", name: "I/O Module Discovery", tactics: ["discovery"], deprecated: true, revoked: false, url: "https://attack.mitre.org/techniques/T0824" },
  { id: "T0825", name: "Location Identification", tactics: ["collection"], deprecated: true, revoked: false, url: "https://attack.mitre.org/techniques/T0825" },
  { id: "T0826", name: "Loss of Availability", tactics: ["impact"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0826" },
  { id: "T0827", name: "Loss of Control", tactics: ["impact"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0827" },
  { id: "T0828", name: "Loss of Productivity and Revenue", tactics: ["impact"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0828" },
  { id: "T0829", name: "Loss of View", tactics: ["impact"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0829" },
  { id: "T0830", name: "Adversary-in-the-Middle", tactics: ["collection"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0830" },
  { id: "T0831", name: "Manipulation of Control", tactics: ["impact"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0831" },
  { id: "T0832", name: "Manipulation of View", tactics: ["impact"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0832" },
  { id: "T0833", name: "Modify Control Logic", tactics: ["inhibit-response-function", "impair-process-control"], deprecated: true, revoked: false, url: "https://attack.mitre.org/techniques/T0833" },
  { id: "T0834", name: "Native API", tactics: ["execution"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0834" },
  { id: "T0835", name: "Manipulate I/O Image", tactics: ["inhibit-response-function"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0835" },
  { id: "T0836", name: "Modify Parameter", tactics: ["impair-process-control"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0836" },
  { id: "T0837", name: "Loss of Protection", tactics: ["impact"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0837" },
  { id: "T0838", name: "Modify Alarm Settings", tactics: ["inhibit-response-function"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0838" },
  { id: "T0839", name: "Module Firmware", tactics: ["persistence", "impair-process-control"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0839" },
  { id: "T0840", name: "Network Connection Enumeration", tactics: ["discovery"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0840" },
  { id: "T0841", name: "Network Service Scanning", tactics: ["discovery"], deprecated: true, revoked: false, url: "https://attack.mitre.org/techniques/T0841" },
  { id: "T0842", name: "Network Sniffing", tactics: ["discovery"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0842" },
  { id: "T0843", name: "Program Download", tactics: ["lateral-movement"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0843" },
  { id: "T0844", name: "Program Organization Units", tactics: ["execution", "lateral-movement"], deprecated: true, revoked: false, url: "https://attack.mitre.org/techniques/T0844" },
  { id: "T0845", name: "Program Upload", tactics: ["collection"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0845" },
  { id: "T0846", name: "Remote System Discovery", tactics: ["discovery"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0846" },
  { id: "T0847", name: "Replication Through Removable Media", tactics: ["initial-access"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0847" },
  { id: "T0848", name: "Rogue Master", tactics: ["initial-access"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0848" },
  { id: "T0849", name: "Masquerading", tactics: ["evasion"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0849" },
  { id: "T0850", name: "Role Identification", tactics: ["collection"], deprecated: true, revoked: false, url: "https://attack.mitre.org/techniques/T0850" },
  { id: "T0851", name: "Rootkit", tactics: ["evasion", "inhibit-response-function"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0851" },
  { id: "T0852", name: "Screen Capture", tactics: ["collection"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0852" },
  { id: "T0853", name: "Scripting", tactics: ["execution"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0853" },
  { id: "T0854", name: "Serial Connection Enumeration", tactics: ["discovery"], deprecated: true, revoked: false, url: "https://attack.mitre.org/techniques/T0854" },
  { id: "T0855", name: "Unauthorized Command Message", tactics: ["impair-process-control"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0855" },
  { id: "T0856", name: "Spoof Reporting Message", tactics: ["evasion", "impair-process-control"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0856" },
  { id: "T0857", name: "System Firmware", tactics: ["persistence", "inhibit-response-function"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0857" },
  { id: "T0858", name: "Change Operating Mode", tactics: ["execution", "evasion"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0858" },
  { id: "T0859", name: "Valid Accounts", tactics: ["persistence", "lateral-movement"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0859" },
  { id: "T0860", name: "Wireless Compromise", tactics: ["initial-access"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0860" },
  { id: "T0861", name: "Point & Tag Identification", tactics: ["collection"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0861" },
  { id: "T0862", name: "Supply Chain Compromise", tactics: ["initial-access"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0862" },
  { id: "T0863", name: "User Execution", tactics: ["execution"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0863" },
  { id: "T0864", name: "Transient Cyber Asset", tactics: ["initial-access"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0864" },
  { id: "T0865", name: "Spearphishing Attachment", tactics: ["initial-access"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0865" },
  { id: "T0866", name: "Exploitation of Remote Services", tactics: ["initial-access", "lateral-movement"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0866" },
  { id: "T0867", name: "Lateral Tool Transfer", tactics: ["lateral-movement"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0867" },
  { id: "T0868", name: "Detect Operating Mode", tactics: ["collection"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0868" },
  { id: "T0869", name: "Standard Application Layer Protocol", tactics: ["command-and-control"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0869" },
  { id: "T0870", name: "Detect Program State", tactics: ["collection"], deprecated: true, revoked: false, url: "https://attack.mitre.org/techniques/T0870" },
  { id: "T0871", name: "Execution through API", tactics: ["execution"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0871" },
  { id: "T0872", name: "Indicator Removal on Host", tactics: ["evasion"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0872" },
  { id: "T0873", name: "Project File Infection", tactics: ["persistence"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0873" },
  { id: "T0874", name: "Hooking", tactics: ["execution", "privilege-escalation"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0874" },
  { id: "T0875", name: "Change Program State", tactics: ["execution", "impair-process-control"], deprecated: true, revoked: false, url: "https://attack.mitre.org/techniques/T0875" },
  { id: "T0877", name: "I/O Image", tactics: ["collection"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0877" },
  { id: "T0878", name: "Alarm Suppression", tactics: ["inhibit-response-function"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0878" },
  { id: "T0879", name: "Damage to Property", tactics: ["impact"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0879" },
  { id: "T0880", name: "Loss of Safety", tactics: ["impact"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0880" },
  { id: "T0881", name: "Service Stop", tactics: ["inhibit-response-function"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0881" },
  { id: "T0882", name: "Theft of Operational Information", tactics: ["impact"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0882" },
  { id: "T0883", name: "Internet Accessible Device", tactics: ["initial-access"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0883" },
  { id: "T0884", name: "Connection Proxy", tactics: ["command-and-control"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0884" },
  { id: "T0885", name: "Commonly Used Port", tactics: ["command-and-control"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0885" },
  { id: "T0886", name: "Remote Services", tactics: ["initial-access", "lateral-movement"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0886" },
  { id: "T0887", name: "Wireless Sniffing", tactics: ["discovery", "collection"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0887" },
  { id: "T0888", name: "Remote System Information Discovery", tactics: ["discovery"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0888" },
  { id: "T0889", name: "Modify Program", tactics: ["persistence"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0889" },
  { id: "T0890", name: "Exploitation for Privilege Escalation", tactics: ["privilege-escalation"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0890" },
  { id: "T0891", name: "Hardcoded Credentials", tactics: ["persistence", "lateral-movement"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0891" },
  { id: "T0892", name: "Change Credential", tactics: ["inhibit-response-function"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0892" },
  { id: "T0893", name: "Data from Local System", tactics: ["collection"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0893" },
  { id: "T0894", name: "System Binary Proxy Execution", tactics: ["evasion"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0894" },
  { id: "T0895", name: "Autorun Image", tactics: ["execution"], deprecated: false, revoked: false, url: "https://attack.mitre.org/techniques/T0895" },
] as const;

export type IcsTacticShortname = (typeof ICS_TACTICS)[number]['shortname'];
export type SentinelIcsTactic = (typeof ICS_TACTICS)[number]['sentinel'];
export type IcsTechniqueId = (typeof ICS_TECHNIQUES)[number]['id'];
