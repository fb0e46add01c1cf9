"""The unit directory the format fixtures are read with: the 兴平 units plus the province, county and district
units the other governments' documents name."""

from departments.directory import UnitDirectory, load_fixture

OTHER_UNITS = (
    "省通信管理局",
    "省工业和信息化厅",
    "省发展改革委",
    "省科技厅",
    "省农业农村厅",
    "省财政厅",
    "省商务厅",
    "省邮政管理局",
    "省统计局",
    "省粮食和储备局",
    "省人力资源社会保障厅",
    "省教育厅",
    "省住房城乡建设厅",
    "省生态环境厅",
    "省税务局",
    "省交通运输厅",
    "区城管局",
    "县农业农村局",
    "县财政局",
    "县自然资源局",
    "县招商局",
    "县发改局",
    "县工信局",
    "区发改局",
    "区统计局",
    "区人社局",
    "区住建局",
)


def format_directory() -> UnitDirectory:
    data = load_fixture()
    units = [(u["name"], u.get("aliases", ())) for u in data["units"]] + [(name, ()) for name in OTHER_UNITS]
    groups = [(g["name"], g.get("aliases", ())) for g in data["groups"]]
    return UnitDirectory(units=units, groups=groups)
