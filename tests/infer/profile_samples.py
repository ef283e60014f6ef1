"""Small tables in the real layouts of the field's tools (delimiter, header spelling, units), written on demand."""

from __future__ import annotations

from pathlib import Path

MOVES_LINK = ("linkID,countyID,zoneID,roadTypeID,linkLength,linkVolume,linkAvgSpeed,linkDescription,linkAvgGrade\n"
              "1,26161,261610,4,1.996,1000,30,Main St eastbound,0\n"
              "2,26161,261610,5,0.25,400,34.5,ramp,-1.2\n")
FILES = {
    "moves_link.csv": MOVES_LINK,
    "moves_linkSourceTypeHour.csv": "linkID,sourceTypeID,sourceTypeHourFraction\n1,21,0.8\n1,32,0.15\n1,62,0.05\n"
                                    "2,21,1.0\n",
    "moves_driveScheduleSecondLink.csv": "linkID,secondID,speed,grade\n1,0,0,0\n1,1,2.5,0.5\n1,2,5.1,0.5\n",
    "moves_opModeDistribution.csv": "sourceTypeID,hourDayID,linkID,polProcessID,opModeID,opModeFraction\n"
                                    "21,85,1,9101,1,0.3\n21,85,1,9101,11,0.7\n",
    "moves_offNetworkLink.csv": "zoneID,sourceTypeID,vehiclePopulation,startFraction,extendedIdleFraction,"
                                "parkedVehicleFraction\n261610,21,500,0.1,0,0.9\n",
    "moves_movesoutput.csv": "MOVESRunID,iterationID,yearID,monthID,dayID,hourID,stateID,countyID,zoneID,linkID,"
                             "pollutantID,processID,sourceTypeID,regClassID,fuelTypeID,modelYearID,roadTypeID,SCC,"
                             "emissionQuant\n1,1,2024,7,5,8,26,26161,261610,1,3,1,21,0,1,0,4,,12.5\n",
    "moves_rateperdistance.csv": "MOVESScenarioID,MOVESRunID,yearID,monthID,dayID,hourID,linkID,pollutantID,"
                                 "processID,sourceTypeID,roadTypeID,avgSpeedBinID,temperature,relHumidity,"
                                 "ratePerDistance\nbase,1,2024,7,5,8,1,3,1,21,4,0,75,50,0.21\n",
    # SUMO xml2csv writes ';' and element_attribute names
    "sumo_fcd.csv": "timestep_time;vehicle_angle;vehicle_id;vehicle_lane;vehicle_pos;vehicle_slope;vehicle_speed;"
                    "vehicle_type;vehicle_x;vehicle_y\n0.00;90.00;veh0;e1_0;5.10;0.00;10.00;passenger;5.10;-1.60\n"
                    "1.00;90.00;veh0;e1_0;15.10;1.00;12.50;passenger;15.10;-1.60\n",
    "sumo_edgedata.csv": "interval_begin;interval_end;interval_id;edge_id;edge_sampledSeconds;edge_traveltime;"
                         "edge_density;edge_occupancy;edge_speed;edge_entered;edge_left\n"
                         "0.00;300.00;dump;e1;1200.00;12.50;8.00;4.00;13.89;60;58\n",
    "sumo_emissions.csv": "timestep_time;vehicle_CO;vehicle_CO2;vehicle_HC;vehicle_NOx;vehicle_PMx;vehicle_eclass;"
                          "vehicle_fuel;vehicle_id;vehicle_speed;vehicle_type\n"
                          "0.00;3.3;2624.7;0.2;1.1;0.07;HBEFA4/PC_petrol_Euro-4;836.1;veh0;10.00;passenger\n",
    "ngsim.csv": "Vehicle_ID,Frame_ID,Total_Frames,Global_Time,Local_X,Local_Y,Global_X,Global_Y,v_length,v_Width,"
                 "v_Class,v_Vel,v_Acc,Lane_ID,Preceding,Following,Space_Headway,Time_Headway\n"
                 "2,13,437,1118846980200,16.467,35.381,6451137.641,1873344.962,14.5,4.9,2,40.00,0.00,2,0,0,0,0\n"
                 "2,14,437,1118846980300,16.447,39.381,6451140.329,1873342,14.5,4.9,2,40.00,1.00,2,0,0,0,0\n",
    "highd_tracks.csv": "frame,id,x,y,width,height,xVelocity,yVelocity,xAcceleration,yAcceleration,"
                        "frontSightDistance,backSightDistance,dhw,thw,ttc,precedingXVelocity,precedingId,followingId,"
                        "leftPrecedingId,leftAlongsideId,leftFollowingId,rightPrecedingId,rightAlongsideId,"
                        "rightFollowingId,laneId\n"
                        "1,1,362.26,21.68,4.85,2.12,40.85,0.00,0.30,0.00,362.26,57.74,0,0,0,0,0,0,0,0,0,0,0,0,3\n"
                        "26,1,403.11,21.68,4.85,2.12,40.87,0.00,0.30,0.00,403.11,16.89,0,0,0,0,0,0,0,0,0,0,0,0,3\n",
    "ind_tracks.csv": "recordingId,trackId,frame,trackLifetime,xCenter,yCenter,heading,width,length,xVelocity,"
                      "yVelocity,xAcceleration,yAcceleration,lonVelocity,latVelocity,lonAcceleration,latAcceleration\n"
                      "7,0,50,0,33.2,-21.9,141.5,1.8,4.3,-5.1,4.1,0.1,-0.1,6.5,0.0,-0.2,0.0\n",
    # PeMS station files are published without a header row: 12 station columns, then 5 per lane
    "pems_station_5min.txt": "01/02/2023 00:00:00,400001,4,101,N,ML,.016,20,100,86,0.0190,66.8,10,43,0.019,66.9,1,"
                             "10,43,0.019,66.7,1\n"
                             "01/02/2023 00:05:00,400001,4,101,N,ML,.016,20,100,90,0.0200,65.0,10,45,0.02,65.1,1,"
                             "10,45,0.02,64.9,1\n",
    "vissim.fzp": "Vehicle Record\nFile:     C:\\models\\corridor.inpx\nComment:  \nDate:     Tuesday, 5 March 2024\n"
                  "PTV Vissim 2024.00-03\n\nSIMSEC: Simulation second\nNO: Number\nSPEED: Speed\n"
                  "ACCELERATION: Acceleration\nVEHTYPE: Vehicle type\n\n"
                  "$VEHICLE:SIMSEC;NO;LANE\\LINK\\NO;POS;SPEED;ACCELERATION;VEHTYPE\n"
                  "0.10;1;1;0.50;48.20;1.10;100\n0.20;1;1;1.84;48.60;1.05;100\n0.20;2;1;0.40;35.00;0.90;200\n",
    "matsim_emissions_per_link.csv": "linkId,CO,CO2_TOTAL,FC,HC,NMHC,NOx,NO2,PM,SO2\n"
                                     "100,12.1,5023.4,1611.2,1.2,1.1,9.8,2.1,0.31,0.02\n",
    "matsim_emissions_per_link_per_m.csv": "linkId,CO [g/m],CO2_TOTAL [g/m],NOx [g/m]\n100,0.012,5.0234,0.0098\n",
}


def write(name: str, folder: Path) -> Path:
    path = folder / name
    path.write_text(FILES[name], encoding="utf-8")
    return path
