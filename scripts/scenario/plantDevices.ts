/** The devices of the two plants (Rotterdam, Lyon) that the scenario's alerts name. */

export interface Dev {
  ip: string;
  mac: string;
  name: string;
  type: string;
  vendor: string;
}
export const DEVICES = {
  rtmEws: {
    ip: '10.10.1.10',
    mac: '00:1b:1b:0a:01:10',
    name: 'RTM-EWS-01',
    type: 'Engineering Station',
    vendor: 'Dell',
  },
  rtmLaptop: {
    ip: '10.10.1.66',
    mac: '3c:22:fb:9e:41:66',
    name: 'LAPTOP-7Q2K',
    type: 'Workstation',
    vendor: 'Lenovo',
  },
  rtmPlc: {
    ip: '10.10.2.21',
    mac: '00:1b:1b:0a:02:21',
    name: 'RTM-PKG-PLC-01',
    type: 'PLC',
    vendor: 'Siemens',
  },
  rtmHmi: {
    ip: '10.10.2.30',
    mac: '00:0c:29:0a:02:30',
    name: 'RTM-PKG-HMI-01',
    type: 'HMI',
    vendor: 'Siemens',
  },
  rtmHist: {
    ip: '10.10.0.5',
    mac: '00:0c:29:0a:00:05',
    name: 'RTM-HIST-01',
    type: 'Historian',
    vendor: 'AVEVA',
  },
  rtmUtlPlc: {
    ip: '10.10.3.21',
    mac: '00:1b:1b:0a:03:21',
    name: 'RTM-UTL-PLC-01',
    type: 'PLC',
    vendor: 'Schneider Electric',
  },
  lynEws: {
    ip: '10.20.1.10',
    mac: '00:1d:9c:14:01:10',
    name: 'LYN-EWS-01',
    type: 'Engineering Station',
    vendor: 'HP',
  },
  lynPlc: {
    ip: '10.20.2.21',
    mac: '00:1d:9c:14:02:21',
    name: 'LYN-BRW-PLC-01',
    type: 'PLC',
    vendor: 'Rockwell Automation',
  },
  lynHmi: {
    ip: '10.20.2.30',
    mac: '00:0c:29:14:02:30',
    name: 'LYN-BRW-HMI-01',
    type: 'HMI',
    vendor: 'Rockwell Automation',
  },
  lynFilPlc: {
    ip: '10.20.3.21',
    mac: '00:1d:9c:14:03:21',
    name: 'LYN-FIL-PLC-01',
    type: 'PLC',
    vendor: 'Rockwell Automation',
  },
  lynFilHmi: {
    ip: '10.20.3.30',
    mac: '00:0c:29:14:03:30',
    name: 'LYN-FIL-HMI-01',
    type: 'HMI',
    vendor: 'Rockwell Automation',
  },
} satisfies Record<string, Dev>;
